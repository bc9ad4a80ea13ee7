// Benchmark: Latch's server CPU per call over gRPC, the server pinned to one core and a bare HTTP/2
// gRPC load generator on another, for the health check (the floor), Check on a hot repeated set
// and Check on a cold set of distinct checks, over the engine benchmark's dataset in a memory
// store; then p50 and p99 at a fixed offered load. Prints a table with ratios against the floor,
// or JSON with --json.
//   npm run bench [-- --json] [-- --duration SECONDS_PER_PHASE]

import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { killBenchChildren, pickCores, spawnBenchChild } from "./server-bench-children.js";
import { clockTicksPerSecond, cpuTicks } from "./server-bench-cpu.js";
import type { LoadCommand, LoadReply, LoadResult } from "./server-bench-protocol.js";
import type { TargetReady } from "./server-bench-target.js";

/** Calls kept outstanding in the throughput phases. */
const IN_FLIGHT = 64;
/** The open-loop phase's offered load, checks per second: well under what one core sustains. */
const OFFERED_RATE = 500;
/** A throughput phase makes at least this many calls, so the clock tick is under 1% of its CPU. */
const MIN_CALLS = 20_000;
/** A throughput phase stops at this many times --duration, enough calls or not. */
const MAX_STRETCH = 4;
/** Below this many ticks of server CPU in a phase, the tick is more than 1% of the measure. */
const ENOUGH_TICKS = 100;

interface Phase extends LoadResult {
  readonly name: string;
  readonly serverCpuMicros: number;
  readonly serverBusy: number;
  readonly loadBusy: number;
  readonly ticks: number;
}

const args = process.argv.slice(2);
const json = args.includes("--json");
const durationAt = args.indexOf("--duration");
const duration = durationAt === -1 ? 5 : Number(args[durationAt + 1]);
if (!(duration > 0)) throw new Error("--duration takes a number of seconds per phase");

const hz = clockTicksPerSecond();
const cores = pickCores();
if (!cores.pinned) {
  console.warn(`warning: not pinned (${cores.reason}); server and load generator share the cores`);
}

/** readReady resolves with the target's first line of output, or rejects if it exits first. */
async function readReady(target: ChildProcess): Promise<TargetReady> {
  if (target.stdout === null) throw new Error("the target has no stdout");
  const lines = createInterface({ input: target.stdout });
  const first = await Promise.race([
    once(lines, "line").then(([line]) => ({ line: String(line) })),
    once(target, "exit").then(([code, signal]) => ({ exited: String(signal ?? code) })),
  ]);
  lines.close();
  if ("exited" in first) throw new Error(`the target exited (${first.exited}) before serving`);
  return JSON.parse(first.line) as TargetReady;
}

/** ask sends the load generator one command and resolves with its reply. */
function ask(load: ChildProcess, command: LoadCommand): Promise<LoadReply> {
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

/** phase runs one command and charges the server's CPU time over it to the calls it made. */
async function phase(
  name: string,
  load: ChildProcess,
  serverPid: number,
  command: LoadCommand,
): Promise<Phase> {
  const before = cpuTicks(serverPid);
  const started = process.hrtime.bigint();
  const reply = await ask(load, command);
  const ticks = cpuTicks(serverPid) - before;
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  if (reply.kind === "failed") throw new Error(`${name}: ${reply.message}`);
  if (reply.kind !== "done") throw new Error(`${name}: unexpected reply ${reply.kind}`);
  const result = reply.result;
  if (result.errors > 0) {
    throw new Error(
      `${name}: ${result.errors} of ${result.calls} calls failed: ${result.firstError}`,
    );
  }
  if (ticks < ENOUGH_TICKS && !name.startsWith("warm-up")) {
    console.warn(`warning: ${name}: only ${ticks} ticks of server CPU; try a longer --duration`);
  }
  return {
    ...result,
    name,
    ticks,
    serverCpuMicros: ((ticks / hz) * 1e6) / result.calls,
    serverBusy: ticks / hz / wall,
    loadBusy: result.cpuMicros / 1e6 / result.seconds,
  };
}

const target = spawnBenchChild(
  "test/bench/server-bench-target.ts",
  cores.pinned ? cores.server : undefined,
  ["pipe", "pipe", "inherit"],
);
let finished = false;
target.once("exit", (code, signal) => {
  if (!finished) console.error(`the server exited (${signal ?? code}) before the benchmark ended`);
});
try {
  const ready = await readReady(target);
  const serverPid = target.pid!;
  const load = spawnBenchChild(
    "test/bench/server-bench-load.ts",
    cores.pinned ? cores.load : undefined,
    ["ignore", "inherit", "inherit", "ipc"],
  );
  const init = await ask(load, {
    kind: "init",
    address: `127.0.0.1:${ready.grpcPort}`,
    documents: ready.documents,
    users: ready.users,
  });
  if (init.kind !== "ready") throw new Error(`the load generator did not start: ${init.kind}`);

  const run = (name: string, command: LoadCommand) => phase(name, load, serverPid, command);
  const throughput = (workload: "health" | "check-hot" | "check-cold" | "check-warm-up") =>
    ({
      kind: "throughput",
      workload,
      seconds: duration,
      minCalls: MIN_CALLS,
      maxSeconds: MAX_STRETCH * duration,
      inFlight: IN_FLIGHT,
    }) as const;
  const warmUp = (seconds: number) => ({ seconds, minCalls: 0, maxSeconds: seconds });
  await run("warm-up health", { ...throughput("health"), ...warmUp(1) });
  await run("warm-up checks", { ...throughput("check-warm-up"), ...warmUp(2) });
  const floor = await run("Health/Check (floor)", throughput("health"));
  const hot = await run(`Check, hot set (${init.hot} checks repeated)`, throughput("check-hot"));
  const cold = await run("Check, cold set (each check distinct)", throughput("check-cold"));
  const latency = await run(`Check, hot set, ${OFFERED_RATE}/s offered (open loop)`, {
    kind: "latency",
    workload: "check-hot",
    seconds: 2 * duration,
    rate: OFFERED_RATE,
  });
  if (cold.calls >= init.cold) {
    console.warn(`warning: the cold phase used up all ${init.cold} distinct checks early`);
  }
  const achievedRate = latency.calls / latency.seconds;
  if (achievedRate < 0.95 * OFFERED_RATE) {
    console.warn(`warning: offered ${OFFERED_RATE}/s, answered ${achievedRate.toFixed(0)}/s`);
  }

  if (json) {
    const perSecond = (p: Phase) => Math.round(p.calls / p.seconds);
    console.log(
      JSON.stringify({
        relationships: ready.relationships,
        pinned: cores.pinned,
        duration_s: duration,
        in_flight: IN_FLIGHT,
        clock_ticks_per_s: hz,
        floor_cpu_us: floor.serverCpuMicros,
        check_hot_cpu_us: hot.serverCpuMicros,
        check_cold_cpu_us: cold.serverCpuMicros,
        check_hot_ratio: hot.serverCpuMicros / floor.serverCpuMicros,
        check_cold_ratio: cold.serverCpuMicros / floor.serverCpuMicros,
        floor_calls_per_s: perSecond(floor),
        check_hot_calls_per_s: perSecond(hot),
        check_cold_calls_per_s: perSecond(cold),
        hot_checks: init.hot,
        cold_checks: cold.calls,
        offered_rate: OFFERED_RATE,
        achieved_rate: achievedRate,
        latency_cpu_us: latency.serverCpuMicros,
        p50_ms: latency.p50,
        p99_ms: latency.p99,
        max_ms: latency.max,
      }),
    );
  } else {
    const placement = cores.pinned
      ? `server on core ${cores.server}, load generator on core ${cores.load}`
      : "not pinned";
    console.log(
      `${ready.relationships} relationships in a memory store, no result cache; ${placement} ` +
        `(HTTP/2, ${IN_FLIGHT} calls in flight); ${duration} s per phase; server CPU from /proc at ${hz} ticks/s\n`,
    );
    console.log(
      "| phase | calls | calls/s | server CPU µs/call | × floor | server core busy | generator core busy | allowed |",
    );
    console.log("|---|---:|---:|---:|---:|---:|---:|---:|");
    const percent = (x: number) => `${(100 * x).toFixed(0)}%`;
    for (const p of [floor, hot, cold, latency]) {
      console.log(
        `| ${p.name} | ${p.calls} | ${(p.calls / p.seconds).toFixed(0)} | ${p.serverCpuMicros.toFixed(1)} | ${(p.serverCpuMicros / floor.serverCpuMicros).toFixed(2)} | ${percent(p.serverBusy)} | ${percent(p.loadBusy)} | ${p === floor ? "" : p.allowed} |`,
      );
    }
    console.log(
      `\nLatency at ${OFFERED_RATE} checks/s offered (open loop, hot set, ${2 * duration} s): ` +
        `p50 ${latency.p50.toFixed(3)} ms, p99 ${latency.p99.toFixed(3)} ms, max ${latency.max.toFixed(3)} ms`,
    );
  }
} finally {
  finished = true;
  killBenchChildren();
}
