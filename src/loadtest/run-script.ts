// Runs a k6 script in Node: bundle it, read its options, run setup(), its scenarios (at once),
// teardown(), then judge its thresholds. A threshold with abortOnFail is judged each second and
// stops the run when it fails, as in k6.

import { dirname, resolve } from "node:path";
import { bundleScript } from "./bundle-script.js";
import { runScenario } from "./executors.js";
import { LoadRun } from "./load-run.js";
import { LoadTestError } from "./load-test-error.js";
import { abortingThresholdFails, type RunReport, report } from "./run-report.js";
import { type RunnerLoad, watchRunner } from "./runner-load.js";
import { parseScenarios } from "./scenarios.js";
import { parseThresholds } from "./thresholds.js";

/** How often thresholds with abortOnFail are judged during a run. */
const ABORT_CHECK_MS = 1000;

/** ScriptRun is a finished run: its report and what went wrong in its iterations. */
export interface ScriptRun {
  readonly report: RunReport;
  readonly vusMax: number;
  readonly failedIterations: number;
  readonly firstErrors: readonly string[];
  /** runner is how loaded the runner itself was while the scenarios ran. */
  readonly runner: RunnerLoad;
  /** abortedBy is the abortOnFail threshold that stopped the run, if one did. */
  readonly abortedBy?: string;
}

/** runScript runs the script at path with env as `__ENV`. */
export async function runScript(path: string, env: Record<string, string>): Promise<ScriptRun> {
  const factory = await bundleScript(path, env);
  const run = new LoadRun(factory, dirname(resolve(path)));
  const main = run.makeVu(undefined);
  const options = (main.exports.options ?? {}) as Record<string, unknown>;
  const scenarios = parseScenarios(options);
  const thresholds = parseThresholds(options.thresholds);
  const began = performance.now();
  let abortedBy: string | undefined;
  let runner: RunnerLoad | undefined;
  const watch = thresholds.some((t) => t.abortOnFail)
    ? setInterval(() => {
        const failed = abortingThresholdFails(run.registry, thresholds, performance.now() - began);
        if (failed === undefined) return;
        abortedBy ??= `${failed.metric}: ${failed.source}`;
        run.aborted = true;
      }, ABORT_CHECK_MS)
    : undefined;
  try {
    const data =
      typeof main.exports.setup === "function"
        ? await run.call(main, "setup", undefined)
        : undefined;
    const shared = data === undefined ? undefined : JSON.parse(JSON.stringify(data));
    const watched = watchRunner();
    await Promise.all(scenarios.map((scenario) => runScenario(run, scenario, shared)));
    runner = watched();
    if (run.fatal !== undefined) throw run.fatal;
    if (typeof main.exports.teardown === "function") await run.call(main, "teardown", shared);
  } catch (error) {
    if (error instanceof LoadTestError) throw error;
    throw new LoadTestError("script", `the script failed: ${(error as Error)?.message ?? error}`);
  } finally {
    clearInterval(watch);
  }
  const result = report(run.registry, thresholds, performance.now() - began);
  return {
    report: result,
    vusMax: run.vusMax,
    failedIterations: run.failedIterations,
    firstErrors: run.firstErrors,
    runner: runner!,
    ...(abortedBy === undefined ? {} : { abortedBy }),
  };
}
