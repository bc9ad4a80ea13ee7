// What the evaluator remembers between decisions: recent matches per key for counts, keys already used.

import type { DecisionRecord } from "../decisions/decision-record.js";
import type { AlertRule } from "./alert-rule.js";
import { agentOf, matchesRule } from "./rule-match.js";

/** Firing is a rule's condition met by a decision: the alert to raise, once per key and window. */
export interface Firing {
  readonly rule: AlertRule;
  /** The agent, the principal, `agent#permission`, or the decision id. */
  readonly key: string;
  /** The window's start in Unix milliseconds; 0 for conditions without windows. */
  readonly windowStart: number;
  /** How many matches the condition counted. */
  readonly count: number;
  readonly record: DecisionRecord;
}

/** FirstUseQuery says whether the agent had a decision matching rule before record. */
export type FirstUseQuery = (rule: AlertRule, record: DecisionRecord) => Promise<boolean>;

/** The most keys remembered per rule; past it, the oldest go (first uses are asked again). */
const MAX_KEYS = 100_000;

/**
 * RuleState evaluates rules over decisions in log order. Count conditions keep, per key, the
 * times of the last `count` matches: a rule fires when the oldest of them is less than `within`
 * before the newest, at most once per window (`within` long, aligned to the epoch). First-use
 * conditions remember the keys seen and ask the log about those they have not. Times are the
 * decisions' own, so that reading the same decisions again gives the same firings.
 */
export class RuleState {
  private readonly recent = new Map<string, Map<string, number[]>>();
  private readonly fired = new Map<string, Map<string, number>>();
  private readonly used = new Map<string, Set<string>>();

  constructor(
    readonly rules: readonly AlertRule[],
    private readonly usedBefore: FirstUseQuery,
  ) {}

  /** longestWindowMs is the longest count window, for how far back a new evaluator rereads. */
  get longestWindowMs(): number {
    let longest = 0;
    for (const { condition } of this.rules) {
      if (condition.kind === "count") longest = Math.max(longest, condition.withinMs);
    }
    return longest;
  }

  /** remember counts record for the count conditions, without firing: a new evaluator's warm-up. */
  remember(record: DecisionRecord): void {
    for (const rule of this.rules) {
      if (rule.condition.kind === "count" && matchesRule(rule.match, record)) {
        this.count(rule, record);
      }
    }
  }

  /** evaluate returns the firings record causes. */
  async evaluate(record: DecisionRecord): Promise<Firing[]> {
    const firings: Firing[] = [];
    for (const rule of this.rules) {
      if (!matchesRule(rule.match, record)) continue;
      const firing = await this.fire(rule, record);
      if (firing !== undefined) firings.push(firing);
    }
    return firings;
  }

  private async fire(rule: AlertRule, record: DecisionRecord): Promise<Firing | undefined> {
    const { condition } = rule;
    if (condition.kind === "any") {
      return { rule, key: record.decisionId, windowStart: 0, count: 1, record };
    }
    if (condition.kind === "first_use") {
      const key = `${agentOf(record)}#${record.permission}`;
      const seen = keyed(this.used, rule.name, () => new Set<string>());
      if (seen.has(key)) return undefined;
      if (seen.size >= MAX_KEYS) seen.delete(seen.values().next().value as string);
      seen.add(key);
      if (await this.usedBefore(rule, record)) return undefined;
      return { rule, key, windowStart: 0, count: 1, record };
    }
    const times = this.count(rule, record);
    const newest = times[times.length - 1] ?? 0;
    if (times.length < condition.count || newest - (times[0] ?? 0) >= condition.withinMs) {
      return undefined;
    }
    const key = condition.per === "agent" ? agentOf(record) : record.subject;
    const windowStart = Math.floor(newest / condition.withinMs) * condition.withinMs;
    const fired = keyed(this.fired, rule.name, () => new Map<string, number>());
    if (fired.get(key) === windowStart) return undefined;
    fired.delete(key);
    fired.set(key, windowStart);
    if (fired.size > MAX_KEYS) fired.delete(fired.keys().next().value as string);
    return { rule, key, windowStart, count: times.length, record };
  }

  /** count adds record's time to its key's recent matches and returns them, oldest first. */
  private count(rule: AlertRule, record: DecisionRecord): number[] {
    if (rule.condition.kind !== "count") return [];
    const key = rule.condition.per === "agent" ? agentOf(record) : record.subject;
    const recent = keyed(this.recent, rule.name, () => new Map<string, number[]>());
    const times = recent.get(key) ?? [];
    // Re-inserted, the key moves to the end: the map's first key is the one idle longest.
    recent.delete(key);
    recent.set(key, times);
    if (recent.size > MAX_KEYS) recent.delete(recent.keys().next().value as string);
    times.push(Date.parse(record.time));
    if (times.length > rule.condition.count) times.shift();
    return times;
  }
}

function keyed<V>(maps: Map<string, V>, name: string, make: () => V): V {
  let value = maps.get(name);
  if (value === undefined) {
    value = make();
    maps.set(name, value);
  }
  return value;
}
