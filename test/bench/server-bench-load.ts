// The server benchmark's load generator: a child process (pinned to its own core) that calls the
// server over one HTTP/2 connection with requests encoded in advance, as the driver commands.

import { performance } from "node:perf_hooks";
import { fromBinary } from "@bufbuild/protobuf";
import { CheckResponseSchema, CheckResult } from "../../src/gen/latch/v1/permission_service_pb.js";
import { type CheckSets, makeCheckSets } from "./server-bench-checks.js";
import {
  connectUnaryClient,
  frameMessage,
  type UnaryAnswer,
  type UnaryClient,
} from "./server-bench-client.js";
import type { LoadCommand, LoadReply, LoadResult, Workload } from "./server-bench-protocol.js";

const HEALTH_CHECK = "/grpc.health.v1.Health/Check";
const CHECK = "/latch.v1.PermissionService/Check";
/** An empty HealthCheckRequest: the server's overall status. */
const HEALTH_REQUEST = frameMessage(new Uint8Array(0));

interface CallSet {
  readonly path: string;
  readonly requests: readonly Buffer[];
  /** Whether the requests repeat once used up; the cold set must not. */
  readonly cycle: boolean;
  readonly allowed: (response: Buffer) => boolean;
}

let client: UnaryClient | undefined;
let sets: CheckSets | undefined;

const isAllowed = (response: Buffer) =>
  fromBinary(CheckResponseSchema, response).result === CheckResult.ALLOWED;

function callSetOf(workload: Workload): CallSet {
  if (sets === undefined) throw new Error("the load generator was not initialised");
  switch (workload) {
    case "health":
      return { path: HEALTH_CHECK, requests: [HEALTH_REQUEST], cycle: true, allowed: () => false };
    case "check-hot":
      return { path: CHECK, requests: sets.hot, cycle: true, allowed: isAllowed };
    case "check-warm-up":
      return { path: CHECK, requests: sets.warmUp, cycle: true, allowed: isAllowed };
    case "check-cold":
      return { path: CHECK, requests: sets.cold, cycle: false, allowed: isAllowed };
  }
}

/** Tally collects one phase's outcomes. */
class Tally {
  calls = 0;
  errors = 0;
  allowed = 0;
  firstError: string | undefined;
  readonly latencies: number[] = [];
  private readonly started = performance.now();
  private readonly cpu = process.cpuUsage();

  record(set: CallSet, started: number, answer: UnaryAnswer) {
    this.latencies.push(performance.now() - started);
    this.calls++;
    if (!answer.ok) {
      this.errors++;
      this.firstError ??= answer.error;
    } else if (set.allowed(answer.message)) {
      this.allowed++;
    }
  }

  result(): LoadResult {
    const seconds = (performance.now() - this.started) / 1000;
    const cpu = process.cpuUsage(this.cpu);
    const sorted = Float64Array.from(this.latencies).sort();
    const at = (q: number) =>
      sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
    return {
      calls: this.calls,
      errors: this.errors,
      ...(this.firstError === undefined ? {} : { firstError: this.firstError }),
      allowed: this.allowed,
      seconds,
      cpuMicros: cpu.user + cpu.system,
      p50: at(0.5),
      p99: at(0.99),
      max: sorted[sorted.length - 1] ?? 0,
    };
  }
}

function send(set: CallSet, request: Buffer, tally: Tally, then: () => void): void {
  if (client === undefined) throw new Error("the load generator was not initialised");
  const started = performance.now();
  client.call(set.path, request, (answer) => {
    tally.record(set, started, answer);
    then();
  });
}

/** throughput keeps calls outstanding for as long as the command says; see LoadCommand. */
function throughput(command: Extract<LoadCommand, { kind: "throughput" }>): Promise<LoadResult> {
  const set = callSetOf(command.workload);
  const tally = new Tally();
  const started = performance.now();
  const end = started + command.seconds * 1000;
  const cutOff = started + command.maxSeconds * 1000;
  let next = 0;
  let outstanding = 0;
  return new Promise((resolve) => {
    const launch = () => {
      const now = performance.now();
      const enough = now >= end && next >= command.minCalls;
      const exhausted = !set.cycle && next >= set.requests.length;
      if (enough || exhausted || now >= cutOff || tally.errors > 0) {
        if (outstanding === 0) resolve(tally.result());
        return;
      }
      const request = set.requests[next++ % set.requests.length]!;
      outstanding++;
      send(set, request, tally, () => {
        outstanding--;
        launch();
      });
    };
    for (let i = 0; i < command.inFlight; i++) launch();
  });
}

/** latency starts calls at rate per second on schedule, whether or not earlier ones answered. */
function latency(workload: Workload, seconds: number, rate: number): Promise<LoadResult> {
  const set = callSetOf(workload);
  const tally = new Tally();
  const total = Math.round(seconds * rate);
  const interval = 1000 / rate;
  const start = performance.now();
  let sent = 0;
  let answered = 0;
  return new Promise((resolve) => {
    const answer = () => {
      if (++answered === total) resolve(tally.result());
    };
    const tick = () => {
      const now = performance.now();
      while (sent < total && start + sent * interval <= now) {
        send(set, set.requests[sent % set.requests.length]!, tally, answer);
        sent++;
      }
      if (sent < total) setTimeout(tick, start + sent * interval - performance.now());
    };
    tick();
  });
}

async function run(command: LoadCommand): Promise<LoadReply> {
  switch (command.kind) {
    case "init": {
      sets = makeCheckSets(command.documents, command.users);
      client = await connectUnaryClient(command.address);
      return { kind: "ready", hot: sets.hot.length, cold: sets.cold.length };
    }
    case "throughput":
      return { kind: "done", result: await throughput(command) };
    case "latency":
      return {
        kind: "done",
        result: await latency(command.workload, command.seconds, command.rate),
      };
  }
}

process.on("message", (command: LoadCommand) => {
  run(command).then(
    (reply) => process.send?.(reply),
    (error: unknown) => process.send?.({ kind: "failed", message: String(error) }),
  );
});
// The driver going away, however it went, ends the generator.
process.on("disconnect", () => process.exit(0));
