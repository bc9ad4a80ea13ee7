// One phase of the server benchmark: a command to a load generator, and the server CPU it cost.

import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { SERVER_NODE_FLAGS } from "../../src/cli/server-node-flags.js";
import { readReadyLine } from "./child-ready-line.js";
import { type Cores, spawnBenchChild } from "./server-bench-children.js";
import { clockTicksPerSecond, cpuTicks } from "./server-bench-cpu.js";
import { readGcSeconds } from "./server-bench-metrics.js";
import type { LoadCommand, LoadReply, LoadResult } from "./server-bench-protocol.js";
import type { TargetReady } from "./server-bench-target.js";

/** Below this many ticks of server CPU in a phase, the tick is more than 1% of the measure. */
const ENOUGH_TICKS = 100;

/**
 * warnOfFewTicks warns of each phase reported (a round's, or rounds' pooled) whose server CPU is
 * too few ticks to measure it to 1%.
 */
export function warnOfFewTicks(phases: readonly Phase[]): void {
  for (const { name, ticks } of phases) {
    if (ticks < ENOUGH_TICKS) {
      console.warn(`warning: ${name}: only ${ticks} ticks of server CPU; try a longer --duration`);
    }
  }
}

/** HZ is the unit of /proc's CPU times. */
export const HZ = clockTicksPerSecond();

/** Phase is what one phase did, with the server's CPU time per call. */
export interface Phase extends LoadResult {
  readonly name: string;
  readonly serverCpuMicros: number;
  /**
   * The server's garbage collections' pauses over the phase, in seconds (its /metrics): the
   * collector's time on the main thread, not its helper threads'.
   */
  readonly gcSeconds: number;
  readonly serverBusy: number;
  readonly loadBusy: number;
  readonly ticks: number;
}

/** BenchServer is a running target and the load generator that calls it. */
export interface BenchServer {
  readonly ready: TargetReady;
  readonly target: ChildProcess;
  readonly load: ChildProcess;
  /** What the load generator said when it started: the sizes of its check sets. */
  readonly sets: Extract<LoadReply, { kind: "ready" }>;
  /** run runs one command and charges the server's CPU time over it to the calls it made. */
  run(name: string, command: LoadCommand): Promise<Phase>;
  /** stop ends the target as the driver going away does (it cleans up), and waits for it. */
  stop(): Promise<void>;
}

/**
 * startBenchServer starts a target (with targetArgs) on the server's core and a load generator
 * on the other, and has the generator connect. The target's node runs with the flags `latch serve`
 * runs with; the generator's with node's defaults (given the server's too, the open loop's longest
 * latencies reached 70–107 ms, with no pause that long in the server, against 19–31 ms).
 */
export async function startBenchServer(
  cores: Cores,
  targetArgs: readonly string[] = [],
): Promise<BenchServer> {
  const target = spawnBenchChild(
    "test/bench/server-bench-target.ts",
    cores.pinned ? cores.server : undefined,
    ["pipe", "pipe", "inherit"],
    targetArgs,
    SERVER_NODE_FLAGS,
  );
  const ready = await readReadyLine<TargetReady>(target);
  const load = spawnBenchChild(
    "test/bench/server-bench-load.ts",
    cores.pinned ? cores.load : undefined,
    ["ignore", "inherit", "inherit", "ipc"],
  );
  const sets = await ask(load, {
    kind: "init",
    address: `127.0.0.1:${ready.grpcPort}`,
    documents: ready.documents,
    users: ready.users,
  });
  if (sets.kind !== "ready") throw new Error(`the load generator did not start: ${sets.kind}`);
  return {
    ready,
    target,
    load,
    sets,
    run: (name, command) =>
      runPhase(name, load, { pid: target.pid!, httpPort: ready.httpPort }, command),
    stop: async () => {
      load.kill("SIGKILL");
      if (target.exitCode !== null || target.signalCode !== null) return;
      const exited = once(target, "exit");
      target.stdin?.end();
      await exited;
    },
  };
}

/** ask sends the load generator one command and resolves with its reply. */
export function ask(load: ChildProcess, command: LoadCommand): Promise<LoadReply> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) =>
      reject(new Error(`the load generator exited (${code})`));
    load.once("exit", onExit);
    load.once("message", (reply: LoadReply) => {
      load.off("exit", onExit);
      resolve(reply);
    });
    load.send(command);
  });
}

/**
 * poolPhases is two phases of the same command on the same server as one: counts, time and CPU
 * summed, CPU per call and busy shares over both; its latencies are the worse of the two.
 */
export function poolPhases(a: Phase, b: Phase): Phase {
  const calls = a.calls + b.calls;
  const seconds = a.seconds + b.seconds;
  const ticks = a.ticks + b.ticks;
  const cpuMicros = a.cpuMicros + b.cpuMicros;
  return {
    name: a.name,
    calls,
    checks: a.checks + b.checks,
    errors: a.errors + b.errors,
    allowed: a.allowed + b.allowed,
    servedFromCache: a.servedFromCache + b.servedFromCache,
    cacheable: a.cacheable + b.cacheable,
    seconds,
    cpuMicros,
    p50: Math.max(a.p50, b.p50),
    p99: Math.max(a.p99, b.p99),
    max: Math.max(a.max, b.max),
    ticks,
    serverCpuMicros: ((ticks / HZ) * 1e6) / calls,
    gcSeconds: a.gcSeconds + b.gcSeconds,
    serverBusy: (a.serverBusy * a.seconds + b.serverBusy * b.seconds) / seconds,
    loadBusy: cpuMicros / 1e6 / seconds,
  };
}

async function runPhase(
  name: string,
  load: ChildProcess,
  server: { readonly pid: number; readonly httpPort: number },
  command: LoadCommand,
): Promise<Phase> {
  // /metrics is read outside the CPU measured: its own cost is not the phase's.
  const gcBefore = await readGcSeconds(server.httpPort);
  const before = cpuTicks(server.pid);
  const started = process.hrtime.bigint();
  const reply = await ask(load, command);
  const ticks = cpuTicks(server.pid) - before;
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const gcSeconds = (await readGcSeconds(server.httpPort)) - gcBefore;
  if (reply.kind === "failed") throw new Error(`${name}: ${reply.message}`);
  if (reply.kind !== "done") throw new Error(`${name}: unexpected reply ${reply.kind}`);
  const result = reply.result;
  if (result.errors > 0) {
    throw new Error(
      `${name}: ${result.errors} of ${result.calls} calls failed: ${result.firstError}`,
    );
  }
  return {
    ...result,
    name,
    ticks,
    serverCpuMicros: ((ticks / HZ) * 1e6) / result.calls,
    gcSeconds,
    serverBusy: ticks / HZ / wall,
    loadBusy: result.cpuMicros / 1e6 / result.seconds,
  };
}
