// The server benchmark's load generator: a child process (pinned to its own core) that calls the
// server over one HTTP/2 connection with requests encoded in advance (or drawn, for the Zipf
// workload), as the driver commands.

import { performance } from "node:perf_hooks";
import { v1 } from "@authzed/authzed-node";
import { fromBinary } from "@bufbuild/protobuf";
import { CheckResponseSchema, CheckResult } from "../../src/gen/latch/v1/permission_service_pb.js";
import { seededRandom } from "./engine-dataset.js";
import { type Call, type CallSet, checksOnce, repeatingCalls } from "./server-bench-calls.js";
import { type CheckSets, makeCheckSets } from "./server-bench-checks.js";
import {
  connectUnaryClient,
  frameMessage,
  type UnaryAnswer,
  type UnaryClient,
} from "./server-bench-client.js";
import type { LoadCommand, LoadReply, LoadResult, Workload } from "./server-bench-protocol.js";
import { createZipfWorkload, type ZipfWorkload } from "./server-bench-zipf-workload.js";

const HEALTH_CHECK = "/grpc.health.v1.Health/Check";
const CHECK = "/latch.v1.PermissionService/Check";
const WRITE = "/latch.v1.RelationshipService/WriteRelationships";
const SPICEDB_CHECK = "/authzed.api.v1.PermissionsService/CheckPermission";
/** An empty HealthCheckRequest: the server's overall status. */
const HEALTH_REQUEST = frameMessage(new Uint8Array(0));

const HAS_PERMISSION = v1.CheckPermissionResponse_Permissionship.HAS_PERMISSION;

let client: UnaryClient | undefined;
let sets: CheckSets | undefined;
let zipf: ZipfWorkload | undefined;

function callSetOf(workload: Workload): CallSet {
  if (sets === undefined || zipf === undefined) {
    throw new Error("the load generator was not initialised");
  }
  switch (workload) {
    case "health":
      return repeatingCalls(HEALTH_CHECK, [HEALTH_REQUEST], false);
    case "check-hot":
      return repeatingCalls(CHECK, sets.hot, true);
    case "check-hot-on-behalf":
      return repeatingCalls(CHECK, sets.hotOnBehalf, true);
    case "spicedb-check-hot": {
      const calls = repeatingCalls(SPICEDB_CHECK, sets.hotSpiceDb, true);
      return (index) => ({ ...calls(index)!, spicedb: true });
    }
    case "check-warm-up":
      return repeatingCalls(CHECK, sets.warmUp, true);
    case "check-cold":
      return checksOnce(CHECK, sets.cold);
    case "zipf":
      return zipf.stream;
    case "zipf-warm-up":
      return zipf.warmUp;
  }
}

/** Tally collects one phase's outcomes. */
class Tally {
  calls = 0;
  checks = 0;
  errors = 0;
  allowed = 0;
  servedFromCache = 0;
  cacheable = 0;
  firstError: string | undefined;
  readonly latencies: number[] = [];
  private readonly started = performance.now();
  private readonly cpu = process.cpuUsage();

  record(call: Call, started: number, answer: UnaryAnswer) {
    this.latencies.push(performance.now() - started);
    this.calls++;
    if (!answer.ok) {
      this.errors++;
      this.firstError ??= answer.error;
    } else if (call.spicedb === true) {
      const response = v1.CheckPermissionResponse.fromBinary(answer.message);
      this.checks++;
      if (response.permissionship === HAS_PERMISSION) this.allowed++;
    } else if (call.check) {
      const response = fromBinary(CheckResponseSchema, answer.message);
      this.checks++;
      if (response.result === CheckResult.ALLOWED) this.allowed++;
      if (response.servedFromCache) this.servedFromCache++;
      if (call.cacheable) this.cacheable++;
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
      checks: this.checks,
      errors: this.errors,
      ...(this.firstError === undefined ? {} : { firstError: this.firstError }),
      allowed: this.allowed,
      servedFromCache: this.servedFromCache,
      cacheable: this.cacheable,
      seconds,
      cpuMicros: cpu.user + cpu.system,
      p50: at(0.5),
      p99: at(0.99),
      max: sorted[sorted.length - 1] ?? 0,
    };
  }
}

function send(call: Call, tally: Tally, then: () => void): void {
  if (client === undefined) throw new Error("the load generator was not initialised");
  const started = performance.now();
  client.call(call.path, call.request, (answer) => {
    tally.record(call, started, answer);
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
  let exhausted = false;
  return new Promise((resolve) => {
    const launch = () => {
      const now = performance.now();
      const enough = now >= end && next >= command.minCalls;
      const call = enough || exhausted || now >= cutOff || tally.errors > 0 ? undefined : set(next);
      if (call === undefined) {
        exhausted = true;
        if (outstanding === 0) resolve(tally.result());
        return;
      }
      next++;
      outstanding++;
      send(call, tally, () => {
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
  return new Promise((resolve, reject) => {
    const answer = () => {
      if (++answered === total) resolve(tally.result());
    };
    const tick = () => {
      const now = performance.now();
      while (sent < total && start + sent * interval <= now) {
        const call = set(sent);
        if (call === undefined) {
          reject(new Error(`the ${workload} set ran out after ${sent} calls`));
          return;
        }
        send(call, tally, answer);
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
      zipf = createZipfWorkload(sets.zipf, { check: CHECK, write: WRITE }, seededRandom(11));
      client = await connectUnaryClient(command.address, command.apiKey);
      return {
        kind: "ready",
        hot: sets.hot.length,
        cold: sets.cold.length,
        zipf: sets.zipf.checks.length,
      };
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
