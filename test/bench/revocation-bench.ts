// Benchmark: issue 6's revocation race between two Latch processes, A and B, sharing Postgres (a fresh
// database, dropped after) and Redis. For each kind (delete, addition to an excluded relation, expiry,
// suspension of the subject): the time from A's acknowledgement (for an expiry, the expiry instant)
// to B's first denied answer at minimize_latency, B polled back to back; and B's first answer when
// given the token.
//   npm run bench:revocation [-- --trials N] [-- --json] [-- --redis URL]

import { performance } from "node:perf_hooks";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { LatchClient } from "../../src/cli/client.js";
import { CheckResult } from "../../src/gen/latch/v1/permission_service_pb.js";
import { RelationshipUpdate_Operation } from "../../src/gen/latch/v1/relationship_service_pb.js";
import { atLeastAsFresh, type Consistency, MINIMIZE_LATENCY } from "../support/replica.js";
import { readReplicaBenchArgs, startBenchReplicas, wallNow } from "./bench-replicas.js";
import { latencyStats } from "./latency-stats.js";
import { REVOCATION_SCHEMA } from "./revocation-bench-schema.js";

/** The goal for B's first denial after A's acknowledgement. */
const GOAL_P99_MS = 10;
/**
 * How far ahead an expiring grant is written at first: time for B to cache it, and no more. A trial
 * that misses doubles it (a write can take tens of milliseconds on a busy machine); each that does
 * not brings it back towards this. It does not enter the measure, which starts at the expiry.
 */
const EXPIRY_LEAD_MS = 40;
const MAX_EXPIRY_LEAD_MS = 1000;
/** The document asked with a token expires this much after the one timed. */
const EXPIRY_GAP_MS = 5;
/** A trial whose B never denies within this counts as a timeout (and as this long). */
const GIVE_UP_MS = 5_000;
const WARM_UP_TRIALS = 50;
const FLOOR_CHECKS = 2_000;

const { json, trials, redis } = readReplicaBenchArgs(1_000);

type Kind = "delete" | "exclusion" | "expiry" | "suspend";
const KINDS: readonly Kind[] = ["delete", "exclusion", "expiry", "suspend"];
const KIND_NAMES: Record<Kind, string> = {
  delete: "delete (viewer removed)",
  exclusion: "exclusion (banned added)",
  expiry: "expiry (from the expiry instant)",
  suspend: "suspend (AgentService.Suspend of the user)",
};
/** The kinds a write through A revokes, timed from its acknowledgement. */
type AcknowledgedKind = Exclude<Kind, "expiry">;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function sleepUntil(epochMs: number): Promise<void> {
  while (Date.now() < epochMs) await sleep(Math.max(epochMs - Date.now(), 1));
}

/** KindResult is what the trials of one kind measured. */
interface KindResult {
  readonly latencies: number[];
  staleWithToken: number;
  timeouts: number;
  /** Expiry only: allows B gave at minimize_latency to requests sent after the expiry. */
  allowsAfterExpiry: number;
  /** Expiry only: trials begun again because B could not cache the grant before it expired. */
  missedSetups: number;
}

const replicas = await startBenchReplicas({ redis });
try {
  const { a, b } = replicas;
  const [writer, reader] = [a, b];
  await writer.schema.writeSchema({ schema: REVOCATION_SCHEMA });

  const relationship = (resource: string, relation: string, user: string, expiresAt?: number) => ({
    resource: { type: "document", id: resource },
    relation,
    subject: { object: { type: "user", id: user }, relation: "" },
    ...(expiresAt === undefined ? {} : { expiresAt: timestampFromDate(new Date(expiresAt)) }),
  });
  const write = async (
    operation: RelationshipUpdate_Operation,
    ...relationships: ReturnType<typeof relationship>[]
  ): Promise<string> => {
    const response = await writer.relationships.writeRelationships({
      updates: relationships.map((rel) => ({ operation, relationship: rel })),
    });
    return response.writtenAt;
  };
  const check = (client: LatchClient, resource: string, user: string, consistency: Consistency) =>
    client.permissions.check({
      resource: { type: "document", id: resource },
      permission: "view",
      subject: { object: { type: "user", id: user }, relation: "" },
      consistency,
    });

  /**
   * Pair is two users each granted a document: one to time at minimize_latency, one to ask with a
   * token (two users, so that a suspension revokes them one at a time).
   */
  interface Pair {
    readonly user: string;
    readonly timed: string;
    readonly tokenedUser: string;
    readonly tokened: string;
    readonly grant: string;
  }
  let nextId = 0;
  const grantPair = async (expiries?: readonly [number, number]): Promise<Pair> => {
    const n = nextId++;
    const pair = { user: `u${n}`, timed: `m${n}`, tokenedUser: `k${n}`, tokened: `t${n}` };
    const grant = await write(
      RelationshipUpdate_Operation.TOUCH,
      relationship(pair.timed, "viewer", pair.user, expiries?.[0]),
      relationship(pair.tokened, "viewer", pair.tokenedUser, expiries?.[1]),
    );
    return { ...pair, grant };
  };

  /**
   * cacheOnB has B hold both allows in its cache: computed once (every other trial on A, so that B
   * finds them in Redis), then asked of B at minimize_latency until it serves both from its cache.
   * It returns false if that takes until untilMs (epoch).
   */
  const cacheOnB = async (pair: Pair, untilMs: number): Promise<boolean> => {
    const warmOn = Number(pair.user.slice(1)) % 2 === 0 ? reader : writer;
    for (const [resource, user] of [
      [pair.timed, pair.user],
      [pair.tokened, pair.tokenedUser],
    ] as const) {
      await check(warmOn, resource, user, atLeastAsFresh(pair.grant));
      for (;;) {
        const answer = await check(reader, resource, user, MINIMIZE_LATENCY);
        if (Date.now() >= untilMs) return false;
        if (answer.result === CheckResult.ALLOWED && answer.servedFromCache) break;
      }
    }
    return true;
  };

  /** revoke takes user's access to resource away through A, and resolves with the token of it. */
  const revoke = async (kind: AcknowledgedKind, resource: string, user: string) => {
    switch (kind) {
      case "delete":
        return write(RelationshipUpdate_Operation.DELETE, relationship(resource, "viewer", user));
      case "exclusion":
        return write(RelationshipUpdate_Operation.TOUCH, relationship(resource, "banned", user));
      case "suspend": {
        const suspended = await writer.agents.suspend({
          subject: { object: { type: "user", id: user }, relation: "" },
          reason: "revocation benchmark",
        });
        return suspended.suspendedAt;
      }
    }
  };

  const emptyResult = (): KindResult => ({
    latencies: [],
    staleWithToken: 0,
    timeouts: 0,
    allowsAfterExpiry: 0,
    missedSetups: 0,
  });

  /**
   * pollUntilDenied asks B for resource at minimize_latency back to back until it denies and
   * returns the time of that answer (epoch ms), counting in result the allows B gave to requests
   * sent at or after allowedUntil (epoch ms).
   */
  const pollUntilDenied = async (
    pair: Pair,
    allowedUntil: number,
    result: KindResult,
  ): Promise<number | undefined> => {
    const giveUp = Date.now() + GIVE_UP_MS;
    while (Date.now() < giveUp) {
      const sent = Date.now();
      const answer = await check(reader, pair.timed, pair.user, MINIMIZE_LATENCY);
      if (answer.result === CheckResult.DENIED) return wallNow();
      if (sent >= allowedUntil) result.allowsAfterExpiry++;
    }
    return undefined;
  };

  const revocationTrial = async (kind: AcknowledgedKind, result: KindResult) => {
    const pair = await grantPair();
    if (!(await cacheOnB(pair, Date.now() + GIVE_UP_MS))) throw new Error("B never cached a grant");
    await revoke(kind, pair.timed, pair.user);
    const acknowledged = wallNow();
    const denied = await pollUntilDenied(pair, Number.POSITIVE_INFINITY, result);
    if (denied === undefined) result.timeouts++;
    result.latencies.push((denied ?? acknowledged + GIVE_UP_MS) - acknowledged);
    const token = await revoke(kind, pair.tokened, pair.tokenedUser);
    const first = await check(reader, pair.tokened, pair.tokenedUser, atLeastAsFresh(token));
    if (first.result !== CheckResult.DENIED) result.staleWithToken++;
    // Suspensions are few at any time: each trial's are lifted, so that the next ones time a
    // suspension, not a list of thousands that every suspension check would read.
    if (kind === "suspend") {
      for (const user of [pair.user, pair.tokenedUser]) {
        await writer.agents.resume({
          subject: { object: { type: "user", id: user }, relation: "" },
        });
      }
    }
  };

  /**
   * expiryTrial grants two documents that expire moments apart; once B has cached both, it polls B
   * for the first from just before its expiry until B denies, then asks for the second, once its
   * expiry has passed, with the grant's token (no write revokes an expiry). It returns false when
   * B could not cache the grants before they expired: the trial is begun again.
   */
  let expiryLeadMs = EXPIRY_LEAD_MS;
  const expiryTrial = async (result: KindResult): Promise<boolean> => {
    const expiresAt = Date.now() + expiryLeadMs;
    const tokenedExpiresAt = expiresAt + EXPIRY_GAP_MS;
    // A write that reaches the store after the expiry is refused.
    const pair = await grantPair([expiresAt, tokenedExpiresAt]).catch(() => undefined);
    if (pair === undefined || !(await cacheOnB(pair, expiresAt - 2))) {
      result.missedSetups++;
      expiryLeadMs = Math.min(expiryLeadMs * 2, MAX_EXPIRY_LEAD_MS);
      return false;
    }
    expiryLeadMs = Math.max(EXPIRY_LEAD_MS, Math.round(expiryLeadMs * 0.9));
    // Polling starts early: a timer may fire some milliseconds late on a busy machine.
    await sleepUntil(expiresAt - 10);
    const denied = await pollUntilDenied(pair, expiresAt, result);
    if (denied === undefined) result.timeouts++;
    result.latencies.push((denied ?? expiresAt + GIVE_UP_MS) - expiresAt);
    await sleepUntil(tokenedExpiresAt);
    const first = await check(reader, pair.tokened, pair.tokenedUser, atLeastAsFresh(pair.grant));
    if (first.result !== CheckResult.DENIED) result.staleWithToken++;
    return true;
  };

  const runKind = async (kind: Kind, count: number): Promise<KindResult> => {
    const result = emptyResult();
    const started = performance.now();
    for (let done = 0; done < count; ) {
      if (kind !== "expiry") {
        await revocationTrial(kind, result);
        done++;
      } else if (await expiryTrial(result)) {
        done++;
      } else if (result.missedSetups > count + 100) {
        throw new Error("B could not cache expiring grants in time: the machine is too loaded");
      }
    }
    const seconds = (performance.now() - started) / 1000;
    if (!json) console.error(`${kind}: ${count} trials in ${seconds.toFixed(1)} s`);
    return result;
  };

  // Warm-up: connections, code paths and the schema on both servers.
  await runKind("delete", WARM_UP_TRIALS);
  await runKind("expiry", Math.ceil(WARM_UP_TRIALS / 5));
  await runKind("suspend", Math.ceil(WARM_UP_TRIALS / 5));

  // The floor: B answering a cached allow, one round trip.
  const floorPair = await grantPair();
  await cacheOnB(floorPair, Date.now() + GIVE_UP_MS);
  const floorLatencies: number[] = [];
  for (let i = 0; i < FLOOR_CHECKS; i++) {
    const sent = wallNow();
    await check(reader, floorPair.timed, floorPair.user, MINIMIZE_LATENCY);
    floorLatencies.push(wallNow() - sent);
  }
  const floor = latencyStats(floorLatencies);

  const results = new Map<Kind, KindResult>();
  for (const kind of KINDS) results.set(kind, await runKind(kind, trials));
  const all = [...results.values()];
  const overall = latencyStats(all.flatMap((r) => r.latencies));
  const staleWithToken = all.reduce((sum, r) => sum + r.staleWithToken, 0);
  const perKind = Object.fromEntries(
    [...results].map(([kind, r]) => [
      kind,
      {
        trials: r.latencies.length,
        ...latencyStats(r.latencies),
        stale_allows_with_token: r.staleWithToken,
        timeouts: r.timeouts,
        ...(kind === "expiry"
          ? { allows_after_expiry: r.allowsAfterExpiry, missed_setups: r.missedSetups }
          : {}),
      },
    ]),
  );

  if (json) {
    console.log(
      JSON.stringify({
        trials: trials * KINDS.length,
        trials_per_kind: trials,
        ...overall,
        stale_allows_with_token: staleWithToken,
        goal_p99_ms: GOAL_P99_MS,
        floor_p50_ms: floor.p50_ms,
        floor_p99_ms: floor.p99_ms,
        kinds: perKind,
      }),
    );
  } else {
    const ms = (x: number) => x.toFixed(2);
    const goal = (p99: number) =>
      `≤ ${GOAL_P99_MS} ms ${p99 <= GOAL_P99_MS ? "(met)" : "(missed)"}`;
    console.log(
      `Two Latch processes on one Postgres database and Redis ${replicas.redisUrl}; ${trials} trials per kind; ` +
        "B polled back to back at minimize_latency from A's acknowledgement (expiry: from the expiry instant)\n",
    );
    console.log(
      "| revocation | trials | p50 ms | p99 ms | max ms | p50 × floor | p99 × floor | p99 goal | stale allows with token |",
    );
    console.log("|---|---:|---:|---:|---:|---:|---:|---|---:|");
    const row = (name: string, count: number, s: ReturnType<typeof latencyStats>, stale: number) =>
      console.log(
        `| ${name} | ${count} | ${ms(s.p50_ms)} | ${ms(s.p99_ms)} | ${ms(s.max_ms)} | ${(s.p50_ms / floor.p50_ms).toFixed(1)} | ${(s.p99_ms / floor.p99_ms).toFixed(1)} | ${goal(s.p99_ms)} | ${stale} |`,
      );
    for (const [kind, r] of results) {
      row(KIND_NAMES[kind], r.latencies.length, latencyStats(r.latencies), r.staleWithToken);
    }
    row("all", trials * KINDS.length, overall, staleWithToken);
    const expiry = results.get("expiry")!;
    console.log(
      `\nFloor, a cached allow on B (one round trip, the same percentile): p50 ${ms(floor.p50_ms)} ms, p99 ${ms(floor.p99_ms)} ms. ` +
        `Expiry: ${expiry.allowsAfterExpiry} allows at minimize_latency after an expiry, ${expiry.missedSetups} trials begun again ` +
        `(B had not cached the grant before its expiry, written ${EXPIRY_LEAD_MS} ms or more ahead); tokens for expiries are the grant's. ` +
        `Timeouts (no denial within ${GIVE_UP_MS} ms): ${all.reduce((sum, r) => sum + r.timeouts, 0)}.`,
    );
  }
} finally {
  await replicas.close();
}
