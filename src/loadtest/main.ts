// `npm run loadtest -- SCRIPT [--target HOST:PORT] [--env K=V]... [--summary-export FILE]`: runs a
// k6 script in Node and prints k6's end-of-test summary. --target sets LATCH_TARGET. Exits 0, 99
// when a threshold failed (as k6 does), 107 when the script failed, 2 on bad arguments.

import { writeFile } from "node:fs/promises";
import { LoadTestError } from "./load-test-error.js";
import { runScript } from "./run-script.js";
import { summaryExport } from "./summary-export.js";
import { runnerText, summaryText } from "./summary-text.js";

/** k6's exit codes: thresholds failed, script error. */
const THRESHOLDS_FAILED = 99;
const SCRIPT_ERROR = 107;
const USAGE_ERROR = 2;

const USAGE =
  "usage: npm run loadtest -- SCRIPT [--target HOST:PORT] [--env KEY=VALUE]... [--summary-export FILE]";

interface Arguments {
  script: string;
  env: Record<string, string>;
  summaryExport?: string;
}

function parseArguments(args: string[]): Arguments {
  const env: Record<string, string> = {};
  let script: string | undefined;
  let exportTo: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = () => {
      const next = args[++i];
      if (next === undefined) throw new LoadTestError("usage", `${arg} needs a value\n${USAGE}`);
      return next;
    };
    if (arg === "--target") env.LATCH_TARGET = value();
    else if (arg === "--summary-export") exportTo = value();
    else if (arg === "--env" || arg === "-e") {
      const pair = value();
      const at = pair.indexOf("=");
      if (at < 1) throw new LoadTestError("usage", `--env ${pair}: write KEY=VALUE`);
      env[pair.slice(0, at)] = pair.slice(at + 1);
    } else if (arg.startsWith("-"))
      throw new LoadTestError("usage", `unknown option ${arg}\n${USAGE}`);
    else if (script === undefined) script = arg;
    else
      throw new LoadTestError("usage", `one script at a time, got ${script} and ${arg}\n${USAGE}`);
  }
  if (script === undefined) throw new LoadTestError("usage", USAGE);
  return { script, env, ...(exportTo === undefined ? {} : { summaryExport: exportTo }) };
}

async function main(): Promise<number> {
  const args = parseArguments(process.argv.slice(2));
  const systemEnv = Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    ),
  );
  const run = await runScript(args.script, { ...systemEnv, ...args.env });
  console.log(summaryText(run.report));
  console.log(`  vus_max: ${run.vusMax}`);
  const iterations = run.report.metrics.find((m) => m.name === "iterations")?.stats.count ?? 0;
  console.log(runnerText(run.runner, iterations));
  if (run.failedIterations > 0) {
    console.log(
      `\n  ${run.failedIterations} iterations failed; first errors:\n    ${run.firstErrors.join("\n    ")}`,
    );
  }
  if (run.abortedBy !== undefined)
    console.log(`\n  aborted: the threshold ${run.abortedBy} failed`);
  if (args.summaryExport !== undefined) {
    const exported = { ...summaryExport(run.report), runner: run.runner };
    await writeFile(args.summaryExport, `${JSON.stringify(exported, null, 2)}\n`);
  }
  if (!run.report.ok) {
    console.error("some thresholds have failed");
    return THRESHOLDS_FAILED;
  }
  return 0;
}

// Exits explicitly: the VUs' gRPC channels would keep the process alive.
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const code =
      error instanceof LoadTestError && error.code === "usage" ? USAGE_ERROR : SCRIPT_ERROR;
    console.error(`loadtest: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(code);
  },
);
