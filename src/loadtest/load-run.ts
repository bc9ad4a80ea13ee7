// One run of a script: its metrics, its VUs and how iterations run on them. A VU is an instance
// of the script (its own init code, module state and `__ITER`); it runs one iteration at a time,
// and an iteration ends when its function has returned and the work it started (streams) ended.

import type { ScriptExports, ScriptFactory } from "./bundle-script.js";
import type { GrpcConnection } from "./grpc-connection.js";
import { LoadTestError } from "./load-test-error.js";
import type { MethodTable } from "./method-table.js";
import { type Metric, MetricRegistry } from "./metric-registry.js";
import type { VuContext } from "./vu-context.js";

/** Vu is one VU: its context and its instance of the script. */
export interface Vu {
  readonly context: VuContext;
  readonly exports: ScriptExports;
}

/** How many iteration errors a run keeps the message of, to report. */
const ERRORS_KEPT = 5;

/** LoadRun holds what every scenario of one run shares. */
export class LoadRun {
  readonly registry = new MetricRegistry();
  private readonly shared = new Map<string, readonly unknown[]>();
  private readonly descriptors = new Map<string, Promise<MethodTable>>();
  private readonly connections = new Map<string, GrpcConnection>();
  private readonly iterations: Metric;
  private readonly iterationDuration: Metric;
  private vusMade = 0;
  /**
   * aborted is set when a threshold with abortOnFail fails, or a fatal error happens: scenarios
   * start no more iterations.
   */
  aborted = false;
  /** fatal is an error of the runner's that no iteration can get past (no connection, TLS). */
  fatal: LoadTestError | undefined;
  /** failedIterations counts iterations that threw; firstErrors keeps a few of their messages. */
  failedIterations = 0;
  readonly firstErrors: string[] = [];

  constructor(
    private readonly factory: ScriptFactory,
    private readonly scriptDirectory: string,
  ) {
    this.iterations = this.registry.define("iterations", "counter");
    this.iterationDuration = this.registry.define("iteration_duration", "trend", true);
  }

  /** vusMax is how many VUs the run has made (setup's and teardown's not counted). */
  get vusMax(): number {
    return this.vusMade;
  }

  /** makeVu runs the script's init code for a new VU of scenario (id 0: setup and teardown). */
  makeVu(scenario: string | undefined): Vu {
    const id = scenario === undefined ? 0 : ++this.vusMade;
    const context: VuContext = {
      id,
      iteration: 0,
      tags: scenario === undefined ? {} : { scenario },
      registry: this.registry,
      shared: this.shared,
      pending: new Set(),
      descriptors: this.descriptors,
      connections: this.connections,
      scriptDirectory: this.scriptDirectory,
    };
    return { context, exports: this.factory(context) };
  }

  /** call runs exported function name on vu with argument, waiting for the work it started. */
  async call(vu: Vu, name: string, argument: unknown): Promise<unknown> {
    const fn = vu.exports[name];
    if (typeof fn !== "function") {
      throw new LoadTestError("script", `the script exports no function ${name}`);
    }
    const result = await fn(argument);
    while (vu.context.pending.size > 0) await Promise.all(vu.context.pending);
    return result;
  }

  /**
   * iterate runs one iteration of exec on vu, recording it, or the error that ended it; it never
   * throws.
   */
  async iterate(vu: Vu, exec: string, data: unknown): Promise<void> {
    const started = performance.now();
    try {
      await this.call(vu, exec, data);
      this.registry.add(this.iterations, 1, vu.context.tags);
      this.registry.add(this.iterationDuration, performance.now() - started, vu.context.tags);
    } catch (error) {
      vu.context.pending.clear();
      if (error instanceof LoadTestError && error.code !== "method") {
        this.fatal ??= error;
        this.aborted = true;
        return;
      }
      this.failedIterations++;
      if (this.firstErrors.length < ERRORS_KEPT)
        this.firstErrors.push(String((error as Error)?.message ?? error));
    } finally {
      vu.context.iteration++;
    }
  }
}
