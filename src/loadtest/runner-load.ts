// How loaded the runner itself was over a run: its own CPU and its event loop's delay. A runner
// whose core is full, or whose loop is late, starts iterations late and times calls long: then
// its dropped iterations and latencies measure the runner, not the target.

import { monitorEventLoopDelay } from "node:perf_hooks";

/** RunnerLoad is what the runner spent over a run. */
export interface RunnerLoad {
  /** cpuShare is the runner's CPU time (user and system) over the run's wall time: 1 is a core. */
  readonly cpuShare: number;
  /** cpuMicros is the runner's CPU time over the run, in microseconds. */
  readonly cpuMicros: number;
  /** The event loop's delay, in milliseconds: how late a timer or an I/O callback ran. */
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
  /**
   * warning says, when the runner may have set the pace rather than the target, why: its core
   * was full (it was the bottleneck), or its event loop ran late (a busy machine, or the script's
   * own synchronous work), which delays arrivals and lengthens every timing by as much.
   */
  readonly warning: string | undefined;
}

/**
 * CPU_LIMIT: past this share of its core the runner (one thread) has no slack left to start
 * arrivals on time. LOOP_DELAY_LIMIT_MS: a p99 delay of the event loop past this is a schedule the
 * runner did not keep (arrivals start late, calls are timed long).
 */
const CPU_LIMIT = 0.9;
const LOOP_DELAY_LIMIT_MS = 10;

/** watchRunner starts measuring the runner; the function it returns stops and tells. */
export function watchRunner(): () => RunnerLoad {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const startedCpu = process.cpuUsage();
  const began = performance.now();
  return () => {
    delay.disable();
    const used = process.cpuUsage(startedCpu);
    const wallMicros = (performance.now() - began) * 1000;
    const cpuMicros = used.user + used.system;
    const cpuShare = wallMicros > 0 ? cpuMicros / wallMicros : 0;
    const loopDelayP99Ms = delay.percentile(99) / 1e6;
    const loopDelayMaxMs = delay.max / 1e6;
    const warning = runnerWarning(cpuShare, loopDelayP99Ms);
    return { cpuShare, cpuMicros, loopDelayP99Ms, loopDelayMaxMs, warning };
  };
}

/**
 * runnerWarning says why the runner, at cpuShare of a core with its event loop p99 loopDelayP99Ms
 * late, may have set the pace, or undefined when it did not.
 */
export function runnerWarning(cpuShare: number, loopDelayP99Ms: number): string | undefined {
  if (cpuShare >= CPU_LIMIT) {
    return `the runner was the bottleneck: its CPU was ${percent(cpuShare)} of a core, so dropped_iterations and grpc_req_duration measure the runner, not the target; lower the rate or run more runners`;
  }
  if (loopDelayP99Ms > LOOP_DELAY_LIMIT_MS) {
    return `the runner's event loop ran p99 ${loopDelayP99Ms.toFixed(1)} ms late with its CPU at ${percent(cpuShare)} (a busy machine, or the script's synchronous work): arrivals started and calls were timed up to that late`;
  }
  return undefined;
}

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}
