// Benchmark: issue 14's numbers on two Latch processes, A and B, sharing Postgres (a fresh database,
// dropped after) and Redis, the decision log on (async) and one alert rule, asked over the lean
// unary client:
// - from A's acknowledgement of Approve to B's first allow at minimize_latency (B had cached the
//   denial), B polled back to back; B's first answer with the approval's token; from the grant's
//   expiry to B's first denial;
// - from the check that completes an alert rule's condition (its answer received) to the webhook's
//   arrival at a receiver in this process, and to the agent's suspension in effect on B.
// A cached check on B (one round trip) is the floor, and a relationship deleted through A (to B's
// first denial) the revocation bar, both measured in the same run; Approve's own round trip on A,
// which comes before the first measure, is printed beside them.
// The fast measures (an approval, a delete) run --trials times (default 1,000: their p99 is then the
// tenth slowest, not the slowest); those that wait out a grant or an alert, a tenth as many.
//   npm run bench:approvals [-- --trials N] [-- --json] [-- --redis URL]

import { performance } from "node:perf_hooks";
import { durationFromMs, timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { LatchClient } from "../../src/cli/client.js";
import { CheckResult } from "../../src/gen/latch/v1/permission_service_pb.js";
import { RelationshipUpdate_Operation } from "../../src/gen/latch/v1/relationship_service_pb.js";
import { atLeastAsFresh, type Consistency, MINIMIZE_LATENCY } from "../support/replica.js";
import { startWebhookReceiver } from "../support/webhook-receiver.js";
import { readReplicaBenchArgs, startBenchReplicas, wallNow } from "./bench-replicas.js";
import { latencyStats } from "./latency-stats.js";

const APPROVE_GOAL_MS = 10;
const ALERT_GOAL_MS = 1000;
/** How long a grant waited out lasts: long enough for B to poll it allowed, short enough to wait out. */
const GRANT_MS = 400;
/**
 * How long the other grants last: long enough that a denial is never their expiry (on a loaded
 * machine, 400 ms can pass before B is asked).
 */
const LONG_GRANT_MS = 3_600_000;
const GIVE_UP_MS = 5_000;
const WARM_UP_TRIALS = 10;
const FLOOR_CHECKS = 2_000;

const SCHEMA = `use expiration

definition agent {}

definition document {
  relation viewer: agent with expiration | agent:*
  permission view = viewer
}
`;

const { json, trials, redis } = readReplicaBenchArgs(1_000);
/** How many trials wait out a grant or an alert: a tenth as many as the fast ones. */
const slowTrials = Math.max(1, Math.round(trials / 10));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const receiver = await startWebhookReceiver(() => 204);
/** arrivalOf is when the first alert naming agent arrived, if one did. */
const arrivalOf = (agent: string) =>
  receiver.deliveries.find(
    (delivery) => (JSON.parse(delivery.body) as { alert: { agent: string } }).alert.agent === agent,
  )?.arrivedAt;
const RULES = `webhooks:
  bench:
    url: http://127.0.0.1:${receiver.port}/alerts
    secret_env: LATCH_BENCH_ALERT_SECRET
rules:
  - name: alarm
    match: { resource: "document:alarm" }
    condition: { count: 2, within: 1h, per: agent }
    webhook: bench
    suspend: true
`;

const replicas = await startBenchReplicas({
  redis,
  env: { LATCH_BENCH_ALERTS: RULES, LATCH_BENCH_ALERT_SECRET: "bench-secret" },
}).catch(async (error: unknown) => {
  await receiver.close();
  throw error;
});
try {
  const { a, b } = replicas;
  const [writer, reader] = [a, b];
  await writer.schema.writeSchema({ schema: SCHEMA });
  await writer.relationships.writeRelationships({
    updates: [
      {
        operation: RelationshipUpdate_Operation.TOUCH,
        relationship: {
          resource: { type: "document", id: "open" },
          relation: "viewer",
          subject: { object: { type: "agent", id: "*" }, relation: "" },
        },
      },
    ],
  });
  const check = (client: LatchClient, doc: string, agent: string, consistency: Consistency) =>
    client.permissions.check({
      resource: { type: "document", id: doc },
      permission: "view",
      subject: { object: { type: "agent", id: agent }, relation: "" },
      consistency,
    });
  /** pollB asks B back to back at minimize_latency until it answers want; the answer's time. */
  const pollB = async (doc: string, agent: string, want: CheckResult) => {
    const giveUp = Date.now() + GIVE_UP_MS;
    while (Date.now() < giveUp) {
      if ((await check(reader, doc, agent, MINIMIZE_LATENCY)).result === want) return wallNow();
    }
    return undefined;
  };
  /** approve has A request and approve `document:doc#viewer@agent:bot` for ms. */
  const approve = async (doc: string, ms: number) => {
    const { request } = await writer.approvals.requestAccess({
      relationship: {
        resource: { type: "document", id: doc },
        relation: "viewer",
        subject: { object: { type: "agent", id: "bot" }, relation: "" },
      },
      duration: durationFromMs(ms),
      justification: "benchmark",
    });
    const sent = wallNow();
    const approved = await writer.approvals.approve({ id: request!.id, note: "benchmark" });
    return {
      sent,
      acknowledged: wallNow(),
      token: approved.grantedAt,
      expiresAt: timestampDate(approved.request!.grantExpiresAt!).getTime(),
    };
  };

  const approveLatencies: number[] = [];
  const approveCallLatencies: number[] = [];
  const expiryLatencies: number[] = [];
  let deniedWithToken = 0;
  let timeouts = 0;
  const approvalTrial = async (n: number, record: boolean) => {
    const [polled, tokened] = [`m${n}`, `t${n}`];
    // B caches the denial first: the approval must invalidate it.
    for (;;) {
      const answer = await check(reader, polled, "bot", MINIMIZE_LATENCY);
      if (answer.servedFromCache) break;
    }
    const tokenGrant = await approve(tokened, LONG_GRANT_MS);
    const first = await check(reader, tokened, "bot", atLeastAsFresh(tokenGrant.token));
    const grant = await approve(polled, LONG_GRANT_MS);
    const allowed = await pollB(polled, "bot", CheckResult.ALLOWED);
    if (!record) return;
    if (first.result !== CheckResult.ALLOWED) deniedWithToken++;
    if (allowed === undefined) timeouts++;
    approveLatencies.push((allowed ?? grant.acknowledged + GIVE_UP_MS) - grant.acknowledged);
    approveCallLatencies.push(grant.acknowledged - grant.sent);
  };

  /** A grant waited out: from its expiry to B's first denial. */
  const expiryTrial = async (n: number, record: boolean) => {
    const doc = `e${n}`;
    const grant = await approve(doc, GRANT_MS);
    const allowed = await pollB(doc, "bot", CheckResult.ALLOWED);
    await sleep(Math.max(grant.expiresAt - Date.now() - 10, 0));
    const denied = await pollB(doc, "bot", CheckResult.DENIED);
    if (!record) return;
    if (allowed === undefined || denied === undefined) timeouts++;
    expiryLatencies.push(Math.max((denied ?? grant.expiresAt + GIVE_UP_MS) - grant.expiresAt, 0));
  };

  /** The revocation bar in this run: a grant deleted through A, to B's first denial. */
  const deleteLatencies: number[] = [];
  const deleteTrial = async (n: number, record: boolean) => {
    const viewer = {
      resource: { type: "document", id: `d${n}` },
      relation: "viewer",
      subject: { object: { type: "agent", id: "bot" }, relation: "" },
    };
    const forAnHour = { ...viewer, expiresAt: timestampFromDate(new Date(Date.now() + 3_600_000)) };
    await writer.relationships.writeRelationships({
      updates: [{ operation: RelationshipUpdate_Operation.TOUCH, relationship: forAnHour }],
    });
    for (;;) {
      const answer = await check(reader, `d${n}`, "bot", MINIMIZE_LATENCY);
      if (answer.result === CheckResult.ALLOWED && answer.servedFromCache) break;
    }
    await writer.relationships.writeRelationships({
      updates: [{ operation: RelationshipUpdate_Operation.DELETE, relationship: viewer }],
    });
    const acknowledged = wallNow();
    const denied = await pollB(`d${n}`, "bot", CheckResult.DENIED);
    if (!record) return;
    if (denied === undefined) timeouts++;
    deleteLatencies.push((denied ?? acknowledged + GIVE_UP_MS) - acknowledged);
  };

  const webhookLatencies: number[] = [];
  const suspendLatencies: number[] = [];
  const alertTrial = async (n: number, record: boolean) => {
    const agent = `agent${n}`;
    await pollB("open", agent, CheckResult.ALLOWED);
    await check(a, "alarm", agent, MINIMIZE_LATENCY);
    await check(a, "alarm", agent, MINIMIZE_LATENCY);
    const completed = wallNow();
    const suspended = await pollB("open", agent, CheckResult.DENIED);
    const giveUp = Date.now() + GIVE_UP_MS;
    while (arrivalOf(`agent:${agent}`) === undefined && Date.now() < giveUp) await sleep(1);
    const arrived = arrivalOf(`agent:${agent}`);
    if (!record) return;
    if (suspended === undefined || arrived === undefined) timeouts++;
    suspendLatencies.push((suspended ?? completed + GIVE_UP_MS) - completed);
    webhookLatencies.push((arrived ?? completed + GIVE_UP_MS) - completed);
  };

  for (let n = 0; n < WARM_UP_TRIALS; n++) {
    await approvalTrial(-1 - n, false);
    await deleteTrial(-1 - n, false);
    await expiryTrial(-1 - n, false);
    await alertTrial(-1 - n, false);
  }
  const floorLatencies: number[] = [];
  await check(reader, "open", "floor", MINIMIZE_LATENCY);
  for (let i = 0; i < FLOOR_CHECKS; i++) {
    const sent = wallNow();
    await check(reader, "open", "floor", MINIMIZE_LATENCY);
    floorLatencies.push(wallNow() - sent);
  }
  const floor = latencyStats(floorLatencies);
  const started = performance.now();
  // Interleaved, so that both meet the same load.
  for (let n = 0; n < trials; n++) {
    await approvalTrial(n, true);
    await deleteTrial(n, true);
  }
  for (let n = 0; n < slowTrials; n++) await expiryTrial(n, true);
  for (let n = 0; n < slowTrials; n++) await alertTrial(n, true);
  if (!json) {
    console.error(
      `${trials} fast and ${slowTrials} slow trials in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  }

  const rows = [
    [
      "Approve acknowledged on A → allowed on B (minimize_latency)",
      approveLatencies,
      APPROVE_GOAL_MS,
    ],
    ["grant's expiry → denied on B (minimize_latency)", expiryLatencies, APPROVE_GOAL_MS],
    ["reference, the revocation bar: delete on A → denied on B", deleteLatencies, APPROVE_GOAL_MS],
    ["condition completed → webhook arrived", webhookLatencies, ALERT_GOAL_MS],
    ["condition completed → suspension in effect on B", suspendLatencies, ALERT_GOAL_MS],
  ] as const;
  /** What Approve takes itself, sent to acknowledged: the time before the measures start. */
  const approveCall = latencyStats(approveCallLatencies);
  if (json) {
    console.log(
      JSON.stringify({
        trials,
        slow_trials: slowTrials,
        floor_p50_ms: floor.p50_ms,
        floor_p99_ms: floor.p99_ms,
        approve_call_p50_ms: approveCall.p50_ms,
        approve_call_p99_ms: approveCall.p99_ms,
        denied_with_token: deniedWithToken,
        timeouts,
        measures: Object.fromEntries(
          rows.map(([name, latencies, goal]) => [
            name,
            { ...latencyStats(latencies), goal_p99_ms: goal },
          ]),
        ),
      }),
    );
  } else {
    const ms = (x: number) => x.toFixed(2);
    console.log(
      `Two Latch processes on one Postgres database and Redis ${replicas.redisUrl}, decision log async; ${trials} trials of an approval or a delete, ${slowTrials} of an expiry or an alert; ` +
        `grants of ${GRANT_MS} ms (an hour for those checked with their token); the alert rule counts 2 matching checks of an agent, POSTs a webhook and suspends it\n`,
    );
    console.log("| measure | trials | p50 ms | p99 ms | max ms | p99 × floor | p99 goal |");
    console.log("|---|---:|---:|---:|---:|---:|---|");
    for (const [name, latencies, goal] of rows) {
      const s = latencyStats(latencies);
      const met = s.p99_ms <= goal ? "(met)" : "(missed)";
      console.log(
        `| ${name} | ${latencies.length} | ${ms(s.p50_ms)} | ${ms(s.p99_ms)} | ${ms(s.max_ms)} | ${(s.p99_ms / floor.p99_ms).toFixed(1)} | ≤ ${goal} ms ${met} |`,
      );
    }
    console.log(
      `\nFloor, a cached check on B (one round trip): p50 ${ms(floor.p50_ms)} ms, p99 ${ms(floor.p99_ms)} ms. ` +
        `Approve itself on A (sent to acknowledged, one write): p50 ${ms(approveCall.p50_ms)} ms, p99 ${ms(approveCall.p99_ms)} ms. ` +
        `First answers on B with the approval's token that were not allowed: ${deniedWithToken} (goal 0). ` +
        `Timeouts (nothing within ${GIVE_UP_MS} ms): ${timeouts}.`,
    );
  }
} finally {
  await receiver.close();
  await replicas.close();
}
