// The evaluator's SQL prefilter on each SQL store, held to matchesRule on generated rules: it never
// leaves out a record a rule matches, and selects nothing a rule could not match but by reason.

import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RuleMatch } from "../../../src/alerts/alert-rule.js";
import { matchesRule } from "../../../src/alerts/rule-match.js";
import { ruleConditions } from "../../../src/alerts/rule-prefilter.js";
import type {
  Decision,
  DecisionRecord,
  DecisionResult,
  DenialReasonName,
} from "../../../src/decisions/decision-record.js";
import type { SqlDecisionLog } from "../../../src/decisions/sql-decision-log.js";
import type { SqlExecutor } from "../../../src/store/postgres/sql-executor.js";
import { lookupDecision, makeDecision } from "../../decisions/decision-fixtures.js";
import {
  DECISION_STORES,
  type OpenedStore,
  openSyncLog,
} from "../../decisions/integration/decision-stores.js";

/** References that differ by a relation, a suffix or a type: what a pattern must tell apart. */
const REFS = [
  "user:alice",
  "user:alicex",
  "group:eng",
  "group:eng#member",
  "group:engx#member",
  "agent:bot",
  "agent:bot#sub",
  "agent:bot2",
  "document:plan",
  "folder:plan",
];
const TYPES = ["user", "group", "agent", "document", "folder", "use"];
const PERMISSIONS = ["view", "edit"];
const RESULTS: readonly DecisionResult[] = ["allowed", "denied", "conditional"];
const REASONS: readonly DenialReasonName[] = ["no_permission", "not_delegated", "suspended"];

/** decisions are checks of every combination worth telling apart, and lookups (never matched). */
function decisions(): Decision[] {
  const made: Decision[] = [];
  REFS.forEach((subject, i) => {
    REFS.forEach((resource, j) => {
      const result = RESULTS[(i + j) % RESULTS.length]!;
      const reason = result === "denied" ? REASONS[(i * j) % REASONS.length] : undefined;
      made.push(
        makeDecision({
          subject,
          resource,
          actors: (i + 2 * j) % 3 === 0 ? [] : [REFS[(i + j) % REFS.length]!, REFS[j]!],
          permission: PERMISSIONS[(i + j) % 2]!,
          result,
          ...(reason === undefined ? {} : { reason, deniedBy: subject }),
        }),
      );
    });
    made.push(lookupDecision({ subject }));
  });
  return made;
}

const patterns = fc.uniqueArray(fc.constantFrom(...REFS, ...TYPES), { minLength: 1, maxLength: 2 });
const match: fc.Arbitrary<RuleMatch> = fc.record(
  {
    subject: patterns,
    actor: patterns,
    resource: patterns,
    permission: fc.uniqueArray(fc.constantFrom(...PERMISSIONS), { minLength: 1 }),
    result: fc.uniqueArray(fc.constantFrom(...RESULTS), { minLength: 1 }),
    reason: fc.uniqueArray(fc.constantFrom(...REASONS), { minLength: 1 }),
  },
  { requiredKeys: [] },
);

describe.each(DECISION_STORES)("the alert rules' prefilter on $name", ({ open }) => {
  let opened: OpenedStore | undefined;
  let log: SqlDecisionLog | undefined;
  let db: SqlExecutor;
  const records = decisions().map((d): DecisionRecord => ({ ...d, masked: [] }));

  beforeAll(async () => {
    if (open === undefined) return;
    opened = await open();
    db = opened.store.database;
    log = await openSyncLog(db);
    await Promise.all(records.map((r) => log!.record(r)));
  });
  afterAll(async () => {
    await log?.close(1000);
    await opened?.close();
  });

  /** selected are the ids of the records the prefilter of matches selects. */
  const selected = async (matches: readonly RuleMatch[]) => {
    const params: unknown[] = [];
    const where = ruleConditions(matches, params).join(" AND ");
    const rows = await db.query(
      `SELECT decision_id::text AS id FROM latch_decisions WHERE ${where}`,
      params,
    );
    return new Set(rows.map((row) => row.id as string));
  };

  it.skipIf(open === undefined)(
    "selects every record a rule matches, and none it could not match but by reason",
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(match, { minLength: 1, maxLength: 3 }), async (matches) => {
          const ids = await selected(matches);
          for (const record of records) {
            const matched = matches.some((m) => matchesRule(m, record));
            const byColumns = matches.some((m) => matchesRule({ ...m, reason: undefined }, record));
            const label = `${JSON.stringify(matches)} on ${record.subject} ${record.actors} ${record.resource}`;
            if (matched) expect(ids.has(record.decisionId), label).toBe(true);
            expect(ids.has(record.decisionId), label).toBe(byColumns);
          }
        }),
        { numRuns: 60 },
      );
    },
  );

  it.skipIf(open === undefined)(
    "selects every check for a match of nothing, none for no rule",
    async () => {
      const checks = records.filter((r) => r.kind === "check").map((r) => r.decisionId);
      expect([...(await selected([{}, { subject: ["agent"] }]))].sort()).toEqual(checks.sort());
      expect((await selected([])).size).toBe(0);
    },
  );
});
