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
 * record had a decision on its permission that rule matches before it in the log's order (batch
 * order, which the evaluator follows): among the newest LOOK_BACK such decisions, read along the
 * actors' and the subjects' indexes. Earlier means earlier in the log, not an earlier time: two
 * replicas' batches commit in either order, so a decision can follow one made after it. Asked by
 * time, the one read first would find the other (committed by then) and not fire, and the other,
 * its key already remembered (see RuleState), would not be asked: neither would fire.
 */
export function createFirstUseQuery(db: SqlQueryable): FirstUseQuery {
  return async (rule: AlertRule, record: DecisionRecord) => {
    const agent = agentOf(record);
    const rows = await db.query(
      `SELECT record::text AS record FROM latch_decisions
       WHERE kind = 'check' AND permission = $2
         AND (batch_seq, position) < (SELECT batch_seq, position FROM latch_decisions
                                      WHERE decided_at = $3::timestamptz AND decision_id = $4::uuid)
         AND ((actors @> ARRAY[$1::text] AND actors[1] = $1) OR (subject = $1 AND actors = '{}'))
       ORDER BY decided_at DESC LIMIT ${LOOK_BACK}`,
      [agent, record.permission, record.time, record.decisionId],
    );
    // Rules never read a proof: the proofs' rows are not read.
    return recordsWithoutProofs(rows).some((earlier) => matchesRule(rule.match, earlier));
  };
}
