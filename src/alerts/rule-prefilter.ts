// The records alert rules could match, as SQL: the evaluator reads only those, not the whole log.

import { param } from "../store/postgres/filter-sql.js";
import type { RuleMatch } from "./alert-rule.js";

/**
 * ruleConditions are the SQL conditions, ANDed, that the records one of matches could match
 * meet: a check's, with a result, and for some match its subject, actor, resource, permission
 * and result as it asks (see matchesRule). `reason` is in the record's text, not a column: the
 * evaluator still tests every record it reads with matchesRule, so this only has to select no
 * fewer. A match that asks nothing selects every check; no matches select nothing.
 */
export function ruleConditions(matches: readonly RuleMatch[], params: unknown[]): string[] {
  if (matches.some(asksNoColumn)) return [CHECKS];
  const anyMatch = matches.map((match) => matchCondition(match, params));
  return [CHECKS, anyMatch.length === 0 ? "false" : `(${anyMatch.join(" OR ")})`];
}

/** CHECKS selects check decisions with a result: the only ones a rule can match. */
const CHECKS = "kind = 'check' AND result IS NOT NULL";

/** asksNoColumn says whether match asks nothing of the columns (at most a reason). */
function asksNoColumn(match: RuleMatch): boolean {
  const { subject, actor, resource, permission, result } = match;
  return [subject, actor, resource, permission, result].every((field) => field === undefined);
}

/** matchCondition is the condition of match, which asks something of the columns. */
function matchCondition(match: RuleMatch, params: unknown[]): string {
  const conditions: string[] = [];
  if (match.subject !== undefined) {
    conditions.push(anyRef("subject", match.subject, params));
  }
  if (match.actor !== undefined) {
    const actor = anyRef("actor", match.actor, params);
    conditions.push(`EXISTS (SELECT FROM unnest(actors) AS actor WHERE ${actor})`);
  }
  if (match.resource !== undefined) {
    conditions.push(anyRef("resource", match.resource, params));
  }
  if (match.permission !== undefined) {
    conditions.push(`permission = ANY(${param(params, match.permission, "text[]")})`);
  }
  if (match.result !== undefined) {
    conditions.push(`result = ANY(${param(params, match.result, "text[]")})`);
  }
  return `(${conditions.join(" AND ")})`;
}

/**
 * anyRef says that column holds a reference one of patterns matches: an object (`agent:bot`)
 * itself or with a relation (`agent:bot#…`), or any object of a type (`agent`).
 */
function anyRef(column: string, patterns: readonly string[], params: unknown[]): string {
  const each = patterns.map((pattern) =>
    pattern.includes(":")
      ? `${column} = ${param(params, pattern)} OR starts_with(${column}, ${param(params, `${pattern}#`)})`
      : `starts_with(${column}, ${param(params, `${pattern}:`)})`,
  );
  return `(${each.join(" OR ")})`;
}
