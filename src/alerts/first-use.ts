// Whether an agent used a permission before: an earlier decision of it that the rule matches, in the log.

import type { DecisionRecord } from "../decisions/decision-record.js";
import { recordsWithoutProofs } from "../decisions/stored-proof.js";
import type { SqlQueryable } from "../store/postgres/sql-executor.js";
import type { AlertRule } from "./alert-rule.js";
import { agentOf, matchesRule } from "./rule-match.js";
import type { FirstUseQuery } from "./rule-state.js";

/** How many earlier decisions of the agent on the permission are read to find one the rule matches. */
const LOOK_BACK = 100;

/**
 * createFirstUseQuery asks the decision log (as far back as it keeps) whether the agent of a
 * record had an earlier decision on its permission that rule matches: among the newest
 * LOOK_BACK decisions of that agent and permission before it, read along the actors' and the
 * subjects' indexes. Earlier is an earlier millisecond: two replicas' decisions of one
 * millisecond have no order, and each would count the other as before it, so that neither fired.
 * One of the same millisecond that committed first was met first by the evaluator, which
 * remembers the key (see RuleState), and a new evaluator's second firing is the same alert.
 */
export function createFirstUseQuery(db: SqlQueryable): FirstUseQuery {
  return async (rule: AlertRule, record: DecisionRecord) => {
    const agent = agentOf(record);
    const rows = await db.query(
      `SELECT record::text AS record FROM latch_decisions
       WHERE kind = 'check' AND permission = $2 AND decided_at < $3::timestamptz
         AND ((actors @> ARRAY[$1::text] AND actors[1] = $1) OR (subject = $1 AND actors = '{}'))
       ORDER BY decided_at DESC LIMIT ${LOOK_BACK}`,
      [agent, record.permission, record.time],
    );
    // Rules never read a proof: the proofs' rows are not read.
    return recordsWithoutProofs(rows).some((earlier) => matchesRule(rule.match, earlier));
  };
}
