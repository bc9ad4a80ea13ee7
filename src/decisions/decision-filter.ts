// Which decisions a query wants: by subject, actor, resource, permission, result, API key and time.

import { param } from "../store/postgres/filter-sql.js";
import type { DecisionResult } from "./decision-record.js";

/**
 * DecisionFilter selects the decisions that match every field set. `subject` and `resource` are
 * a reference (`user:alice`, `group:eng#member`, `document:plan`), matched exactly, or a type
 * (`user`), matching every reference of that type and the lookups asked for that type; `actor`
 * is an object, matched among the actors; the time range is `since` (inclusive) to `until`
 * (exclusive). Values are checked by the API before they get here.
 */
export interface DecisionFilter {
  readonly subject?: string;
  readonly actor?: string;
  readonly resource?: string;
  readonly permission?: string;
  readonly result?: DecisionResult;
  readonly apiKey?: string;
  readonly since?: Date;
  readonly until?: Date;
}

/** decisionConditions are the SQL conditions, ANDed, that select what filter matches. */
export function decisionConditions(filter: DecisionFilter, params: unknown[]): string[] {
  const conditions: string[] = [];
  const { subject, actor, resource, permission, result, apiKey, since, until } = filter;
  if (subject !== undefined) conditions.push(refCondition("subject", subject, params));
  if (actor !== undefined) {
    // The actors index holds only rows with actors: the second condition lets the planner use it.
    conditions.push(`actors @> ARRAY[${param(params, actor, "text")}] AND cardinality(actors) > 0`);
  }
  if (resource !== undefined) conditions.push(refCondition("resource", resource, params));
  if (permission !== undefined) conditions.push(`permission = ${param(params, permission)}`);
  if (result !== undefined) conditions.push(`result = ${param(params, result)}`);
  if (apiKey !== undefined) conditions.push(`api_key = ${param(params, apiKey)}`);
  if (since !== undefined) {
    conditions.push(`decided_at >= ${param(params, since.toISOString(), "timestamptz")}`);
  }
  if (until !== undefined) {
    conditions.push(`decided_at < ${param(params, until.toISOString(), "timestamptz")}`);
  }
  return conditions;
}

/**
 * refCondition matches a reference exactly, or for a type (no `:`) the type itself and every
 * reference `type:…`: a range of the column's index, since `;` follows `:` in byte order.
 */
function refCondition(column: string, value: string, params: unknown[]): string {
  if (value.includes(":")) return `${column} = ${param(params, value)}`;
  const exact = param(params, value);
  const from = param(params, `${value}:`);
  const to = param(params, `${value};`);
  return `(${column} = ${exact} OR (${column} >= ${from} AND ${column} < ${to}))`;
}
