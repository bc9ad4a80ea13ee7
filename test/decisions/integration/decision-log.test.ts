// The decision log on each SQL store: records written in both modes and read back whole, filters
// and pages against a plain filter over the records written, the live stream, redaction that never
// reaches the database or the stream, close that writes everything, and retention.

import { afterEach, describe, expect, it } from "vitest";
import type { DecisionFilter } from "../../../src/decisions/decision-filter.js";
import { newDecisionId } from "../../../src/decisions/decision-id.js";
import type { DecisionMode } from "../../../src/decisions/decision-log.js";
import { dayOf, dropDaysBefore, listDays } from "../../../src/decisions/decision-partitions.js";
import type { Decision, DecisionRecord } from "../../../src/decisions/decision-record.js";
import { watchDecisions } from "../../../src/decisions/decision-watch.js";
import { createRedactor, recordOf } from "../../../src/decisions/redaction.js";
import { SqlDecisionLog } from "../../../src/decisions/sql-decision-log.js";
import { ChangeSignal } from "../../../src/store/postgres/change-signal.js";
import type { SqlQueryable } from "../../../src/store/postgres/sql-executor.js";
import { waitFor } from "../../support/wait-for.js";
import { decisionAt, lookupDecision, makeDecision } from "../decision-fixtures.js";
import { DECISION_STORES, type OpenedStore } from "./decision-stores.js";

const SECRET = Buffer.from("a-secret-of-at-least-thirty-two-characters");
const SSN = "078-05-1120";
const DAY_MS = 86_400_000;
const redactor = createRedactor(["ssn"], SECRET);
const redact = (decision: Decision) => recordOf(redactor(decision));

/** A mixed set: plain and on-behalf-of checks, each result, two keys, lookups, development mode. */
function mixedDecisions(count: number): Decision[] {
  const results = ["allowed", "denied", "conditional"] as const;
  return Array.from({ length: count }, (_, i) => {
    if (i % 7 === 6) return lookupDecision({ subject: `user:u${i % 4}` });
    const { apiKey: _key, ...base } = makeDecision({
      subject: i % 5 === 0 ? "group:eng#member" : `user:u${i % 4}`,
      actors: i % 3 === 0 ? [] : [`agent:a${i % 2}`, "agent:sub"],
      resource: `${i % 2 === 0 ? "document" : "folder"}:r${i % 3}`,
      permission: i % 4 === 0 ? "edit" : "view",
      result: results[i % 3]!,
      ...(i % 3 === 2 ? { missingParameters: ["ip"] } : {}),
      ...(i % 3 === 1 ? { deniedBy: "agent:a1", reason: "not_delegated" as const } : {}),
    });
    return i % 8 === 0 ? base : { ...base, apiKey: i % 2 === 0 ? "ci" : "ops" };
  });
}

/** matches is the filter's meaning, written plainly: the oracle the SQL is held to. */
function matches(record: DecisionRecord, filter: DecisionFilter): boolean {
  const ref = (value: string, wanted: string | undefined) =>
    wanted === undefined ||
    (wanted.includes(":") ? value === wanted : value === wanted || value.startsWith(`${wanted}:`));
  const time = Date.parse(record.time);
  return (
    ref(record.subject, filter.subject) &&
    ref(record.resource, filter.resource) &&
    (filter.actor === undefined || record.actors.includes(filter.actor)) &&
    (filter.permission === undefined || record.permission === filter.permission) &&
    (filter.result === undefined || record.result === filter.result) &&
    (filter.apiKey === undefined || record.apiKey === filter.apiKey) &&
    (filter.since === undefined || time >= filter.since.getTime()) &&
    (filter.until === undefined || time < filter.until.getTime())
  );
}

const newestFirst = (a: DecisionRecord, b: DecisionRecord) =>
  a.time === b.time ? b.decisionId.localeCompare(a.decisionId) : b.time.localeCompare(a.time);

describe.each(DECISION_STORES)("the decision log on $name", ({ open }) => {
  const opened: { store: OpenedStore; log: SqlDecisionLog }[] = [];
  afterEach(async () => {
    for (const { store, log } of opened.splice(0)) {
      await log.close(1000);
      await store.close();
    }
  });

  const lines: string[] = [];
  const openLog = async (mode: DecisionMode, retentionMs = 30 * DAY_MS) => {
    const store = await open!();
    const log = await SqlDecisionLog.open(
      store.store.database,
      { mode, retentionMs, redactKeys: ["ssn"], redactionSecret: SECRET },
      { countDecisions: () => {}, log: (line) => lines.push(line) },
    );
    opened.push({ store, log });
    return { log, db: store.store.database };
  };

  it.skipIf(open === undefined)(
    "keeps every decision of async and sync mode, whole, found by its id",
    async () => {
      for (const mode of ["async", "sync"] as const) {
        const { log } = await openLog(mode);
        const decisions = mixedDecisions(60);
        const answers = await Promise.all(decisions.map((d) => log.record(d)));
        if (mode === "async") {
          expect(answers.every((a) => a === undefined)).toBe(true);
          await waitFor(
            "the async records",
            async () => (await log.list({}, 1000)).records.length === 60,
            10_000,
          );
        }
        for (const decision of decisions) {
          expect(await log.get(decision.decisionId)).toEqual(redact(decision));
        }
        expect(await log.get(newDecisionId().id)).toBeUndefined();
      }
    },
  );

  it.skipIf(open === undefined)(
    "lists what each filter matches, newest first, page by page",
    async () => {
      const { log } = await openLog("sync");
      const decisions = mixedDecisions(90);
      await Promise.all(decisions.map((d) => log.record(d)));
      const records = decisions.map(redact).sort(newestFirst);
      const middle = new Date(records[45]!.time);
      const filters: DecisionFilter[] = [
        {},
        { subject: "user:u1" },
        { subject: "user" },
        { subject: "group:eng#member" },
        { actor: "agent:a1" },
        { resource: "document" },
        { resource: "folder:r1" },
        { permission: "edit" },
        { result: "denied" },
        { apiKey: "ops" },
        { since: middle },
        { until: middle },
        { subject: "user:u2", result: "allowed", resource: "document", since: new Date(0) },
      ];
      for (const filter of filters) {
        const wanted = records.filter((r) => matches(r, filter)).map((r) => r.decisionId);
        const whole = await log.list(filter, 1000);
        expect(
          whole.records.map((r) => r.decisionId),
          JSON.stringify(filter),
        ).toEqual(wanted);
        expect(whole.nextCursor).toBeUndefined();
        const paged: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await log.list(filter, 7, cursor);
          paged.push(...page.records.map((r) => r.decisionId));
          cursor = page.nextCursor;
        } while (cursor !== undefined);
        expect(paged, JSON.stringify(filter)).toEqual(wanted);
      }
    },
  );

  it.skipIf(open === undefined)(
    "streams decisions as they are written, from now or from a time",
    async () => {
      const { log } = await openLog("async");
      const before = mixedDecisions(10);
      await Promise.all(before.map((d) => log.record(d)));
      await waitFor(
        "the first records",
        async () => (await log.list({}, 100)).records.length === 10,
        10_000,
      );
      const stop = new AbortController();
      const seen = { fromNow: [] as string[], fromStart: [] as string[], denied: [] as string[] };
      const follow = async (filter: DecisionFilter, into: string[]) => {
        for await (const records of log.watch(filter, stop.signal)) {
          into.push(...records.map((r) => r.decisionId));
        }
      };
      const following = Promise.all([
        follow({}, seen.fromNow),
        follow({ since: new Date(before[0]!.time) }, seen.fromStart),
        follow({ result: "denied" }, seen.denied),
      ]);
      // The watches without `since` start at the head when they first read: denied probes are
      // written until both show one, so that what is written after counts for both.
      const probes: Decision[] = [];
      await waitFor(
        "the watches from now to start",
        async () => {
          if (seen.fromNow.length > 0 && seen.denied.length > 0) return true;
          const probe = makeDecision({ result: "denied" });
          probes.push(probe);
          await log.record(probe);
          return false;
        },
        10_000,
      );
      const after = mixedDecisions(30);
      for (const d of after) log.record(d);
      const all = [...before, ...probes, ...after].map((d) => d.decisionId);
      const lastDenied = after.filter((d) => d.result === "denied").at(-1)!.decisionId;
      await waitFor(
        "every record on the streams",
        () =>
          seen.fromStart.length >= all.length &&
          seen.fromNow.includes(all.at(-1)!) &&
          seen.denied.includes(lastDenied),
        10_000,
      );
      stop.abort();
      await following;
      // The stream follows commit order, which is the writer's queue order.
      expect(seen.fromStart).toEqual(all);
      expect(seen.fromNow.slice(-30)).toEqual(after.map((d) => d.decisionId));
      const denied = new Set(
        [...probes, ...after].filter((d) => d.result === "denied").map((d) => d.decisionId),
      );
      const afterIds = new Set(after.map((d) => d.decisionId));
      expect(seen.denied.every((id) => denied.has(id))).toBe(true);
      expect(seen.denied.filter((id) => afterIds.has(id))).toEqual(
        after.filter((d) => d.result === "denied").map((d) => d.decisionId),
      );
    },
  );

  it.skipIf(open === undefined)(
    "never lets a masked value reach the tables or the stream",
    async () => {
      const { log, db } = await openLog("sync");
      const stop = new AbortController();
      const streamed: DecisionRecord[] = [];
      const following = (async () => {
        for await (const records of log.watch({ since: new Date(0) }, stop.signal)) {
          streamed.push(...records);
        }
      })();
      await Promise.all(mixedDecisions(20).map((d) => log.record(d)));
      await waitFor("the stream", () => streamed.length === 20, 10_000);
      stop.abort();
      await following;
      const tables = await db.query(
        `SELECT string_agg(t::text, ' ') AS everything FROM (
           SELECT d::text AS t FROM latch_decisions d UNION ALL SELECT b::text FROM latch_decision_batches b
           UNION ALL SELECT p::text FROM latch_decision_proofs p
         ) rows`,
      );
      const everything = String(tables[0]?.everything);
      expect(everything).toContain("hmac-sha256:");
      const [proofs] = await db.query(
        "SELECT string_agg(proof, ' ') AS proofs FROM latch_decision_proofs",
      );
      expect(String(proofs?.proofs)).toContain('"ssn":"hmac-sha256:');
      expect(everything).not.toContain(SSN);
      expect(JSON.stringify(streamed)).not.toContain(SSN);
      for (const record of streamed) {
        expect(record.masked).toContain("context.ssn");
      }
    },
  );

  it.skipIf(open === undefined)(
    "watches from a time without missing a batch that commits as the watch starts",
    async () => {
      const { log, db } = await openLog("sync");
      // The watch's first read finds nothing; batches commit before it reads anything else.
      let first = true;
      const racing: SqlQueryable = Object.create(db, {
        query: {
          value: async (sql: string, params?: readonly unknown[]) => {
            const rows = await db.query(sql, params);
            if (first) {
              first = false;
              await Promise.all(mixedDecisions(5).map((d) => log.record(d)));
            }
            return rows;
          },
        },
      });
      const stop = new AbortController();
      const streamed: DecisionRecord[] = [];
      const following = (async () => {
        const watch = watchDecisions(
          racing,
          new ChangeSignal(),
          { since: new Date(0) },
          stop.signal,
        );
        for await (const records of watch) streamed.push(...records);
      })();
      await waitFor(
        "the records committed as the watch started",
        () => streamed.length === 5,
        10_000,
      );
      stop.abort();
      await following;
    },
  );

  it.skipIf(open === undefined)("writes everything queued on close, in async mode", async () => {
    const { log, db } = await openLog("async");
    const decisions = mixedDecisions(5000);
    for (const d of decisions) log.record(d);
    await log.close(10_000);
    const [row] = await db.query("SELECT count(*)::int AS n FROM latch_decisions");
    expect(row?.n).toBe(5000);
    expect((await log.verify()).records).toBe(5000);
  });

  it.skipIf(open === undefined)(
    "drops the days past retention, their proofs with them, and verification starts after them",
    async () => {
      const { log, db } = await openLog("sync", 2 * DAY_MS);
      const now = Date.now();
      // One proof for every day: written once a day, in the day's partition.
      const { proof } = makeDecision();
      const proven = (decision: Decision) => {
        const { proof: _own, ...unproved } = decision;
        return log.record(unproved, proof);
      };
      const old = (daysAgo: number) => decisionAt(now - daysAgo * DAY_MS);
      await proven(old(5));
      await proven(old(4));
      await proven(old(4));
      await proven(makeDecision());
      const proofDays = async () =>
        (await db.query("SELECT day_start FROM latch_decision_proofs ORDER BY day_start")).map(
          (row) => dayOf(new Date(row.day_start as string | Date)),
        );
      expect(await listDays(db)).toEqual(
        expect.arrayContaining([dayOf(now - 5 * DAY_MS), dayOf(now - 4 * DAY_MS), dayOf(now)]),
      );
      expect(await proofDays()).toEqual([
        dayOf(now - 5 * DAY_MS),
        dayOf(now - 4 * DAY_MS),
        dayOf(now),
      ]);
      const dropped = await dropDaysBefore(db, now - 2 * DAY_MS);
      expect(dropped.days).toEqual([dayOf(now - 5 * DAY_MS), dayOf(now - 4 * DAY_MS)]);
      expect(await listDays(db)).not.toContain(dayOf(now - 4 * DAY_MS));
      expect(await proofDays()).toEqual([dayOf(now)]);
      const report = await log.verify();
      expect(report.problem).toBeUndefined();
      expect(report.records).toBe(1);
      expect(report.firstBatch).toBe(dropped.throughSeq + 1);
      expect((await log.list({}, 10)).records.length).toBe(1);
    },
  );
});
