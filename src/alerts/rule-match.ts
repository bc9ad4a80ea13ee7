// Whether a recorded decision matches a rule's match, and whom it is about: its agent and principal.

import type { DecisionRecord } from "../decisions/decision-record.js";
import type { RuleMatch } from "./alert-rule.js";

/** agentOf is the agent a decision is about: its nearest actor, or its subject when it had none. */
export function agentOf(record: DecisionRecord): string {
  return record.actors[0] ?? record.subject;
}

/**
 * matchesRule says whether record, a check's decision (lookups never match), matches every
 * field of match.
 */
export function matchesRule(match: RuleMatch, record: DecisionRecord): boolean {
  if (record.kind !== "check" || record.result === undefined) return false;
  const { result, reason } = record;
  return (
    anyOf(match.subject, (pattern) => refMatches(record.subject, pattern)) &&
    anyOf(match.actor, (pattern) => record.actors.some((actor) => refMatches(actor, pattern))) &&
    anyOf(match.resource, (pattern) => refMatches(record.resource, pattern)) &&
    anyOf(match.permission, (permission) => permission === record.permission) &&
    anyOf(match.result, (wanted) => wanted === result) &&
    anyOf(match.reason, (wanted) => wanted === reason)
  );
}

/** anyOf is true when values is unset (the field is not matched on) or test holds for one. */
function anyOf<T>(values: readonly T[] | undefined, test: (value: T) => boolean): boolean {
  return values === undefined || values.some(test);
}

/**
 * refMatches says whether a reference (`agent:bot`, `group:eng#member`) matches pattern: the
 * same object, or a type (`agent`) of which it is an object.
 */
function refMatches(ref: string, pattern: string): boolean {
  if (pattern.includes(":")) return ref === pattern || ref.startsWith(`${pattern}#`);
  return ref.startsWith(`${pattern}:`);
}
