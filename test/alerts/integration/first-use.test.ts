// first_use on each SQL store, held to its meaning on generated logs: whatever order replicas'
// batches commit in, and wherever a new evaluator takes over, each agent's permission fires once,
// on its first decision in the log's order.

import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AlertRule } from "../../../src/alerts/alert-rule.js";
import { createFirstUseQuery } from "../../../src/alerts/first-use.js";
import { RuleState } from "../../../src/alerts/rule-state.js";
import type { DecisionRecord } from "../../../src/decisions/decision-record.js";
import type { SqlDecisionLog } from "../../../src/decisions/sql-decision-log.js";
import { recordsWithoutProofs } from "../../../src/decisions/stored-proof.js";
import type { SqlExecutor } from "../../../src/store/postgres/sql-executor.js";
import { decisionAt } from "../../decisions/decision-fixtures.js";
import {
  DECISION_STORES,
  type OpenedStore,
  openSyncLog,
} from "../../decisions/integration/decision-stores.js";

const T0 = Date.parse("2030-01-01T12:00:00.000Z");

const firstUse: AlertRule = {
  name: "first-use",
  match: { actor: ["agent"] },
  condition: { kind: "first_use" },
};

/** A use is an agent's check on a permission, made at T0 + atMs. */
interface Use {
  readonly agent: number;
  readonly permission: "view" | "edit";
  readonly atMs: number;
}

const uses = fc.array(
  fc.record({
    agent: fc.integer({ min: 0, max: 2 }),
    permission: fc.constantFrom("view" as const, "edit" as const),
    atMs: fc.integer({ min: 0, max: 20 }),
  }),
  { minLength: 1, maxLength: 12 },
);

describe.each(DECISION_STORES)("first_use on $name", ({ open }) => {
  let opened: OpenedStore | undefined;
  let log: SqlDecisionLog | undefined;
  let db: SqlExecutor;
  let run = 0;

  beforeAll(async () => {
    if (open === undefined) return;
    opened = await open();
    db = opened.store.database;
    log = await openSyncLog(db);
  });
  afterAll(async () => {
    await log?.close(1000);
    await opened?.close();
  });

  /**
   * commit writes uses, each in a batch of its own in the order given (as replicas' batches may
   * commit out of time order), its agents named for this run; it returns the records in log order.
   */
  const commit = async (given: readonly Use[]): Promise<DecisionRecord[]> => {
    run++;
    const ids: string[] = [];
    for (const use of given) {
      const decision = decisionAt(T0 + use.atMs, {
        actors: [`agent:run${run}-${use.agent}`],
        permission: use.permission,
      });
      await log!.record(decision);
      ids.push(decision.decisionId);
    }
    const rows = await db.query(
      `SELECT record::text AS record FROM latch_decisions
       WHERE decision_id = ANY($1::uuid[]) ORDER BY batch_seq, position`,
      [ids],
    );
    return recordsWithoutProofs(rows);
  };

  /** fired are the records that fired, read in order by an evaluator replaced before record restartAt. */
  const fired = async (records: readonly DecisionRecord[], restartAt: number) => {
    const firings = [];
    let state = new RuleState([firstUse], createFirstUseQuery(db));
    for (const [i, record] of records.entries()) {
      if (i === restartAt) state = new RuleState([firstUse], createFirstUseQuery(db));
      firings.push(...(await state.evaluate(record)));
    }
    return firings.map((f) => f.record.decisionId);
  };

  it.skipIf(open === undefined)(
    "fires once for a first use committed after a later one",
    async () => {
      const records = await commit([
        { agent: 0, permission: "edit", atMs: 5 },
        { agent: 0, permission: "edit", atMs: 0 },
      ]);
      expect(await fired(records, records.length)).toEqual([records[0]!.decisionId]);
      expect(await fired(records.slice(1), 1)).toEqual([]);
    },
  );

  it.skipIf(open === undefined)(
    "fires on each agent's permission once, on its first in the log, across a takeover",
    async () => {
      await fc.assert(
        fc.asyncProperty(uses, fc.nat(), async (given, at) => {
          const records = await commit(given);
          const firsts = new Map<string, string>();
          for (const r of records) {
            const key = `${r.actors[0]}#${r.permission}`;
            if (!firsts.has(key)) firsts.set(key, r.decisionId);
          }
          const restartAt = at % (records.length + 1);
          expect(await fired(records, restartAt)).toEqual([...firsts.values()]);
        }),
        { numRuns: 40 },
      );
    },
  );
});
