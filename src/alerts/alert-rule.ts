// An alert rule as the evaluator runs it: what decisions it matches, when it fires, what it does.

import type { DecisionResult, DenialReasonName } from "../decisions/decision-record.js";

/**
 * RuleMatch selects the check decisions a rule looks at; each field set must match, and a field
 * matches when the decision's value is one of its values. `subject`, `actor` and `resource` hold
 * an object (`agent:bot`) or a type (`agent`, matching every object of it); `actor` matches any
 * of the decision's actors.
 */
export interface RuleMatch {
  readonly subject?: readonly string[];
  readonly actor?: readonly string[];
  readonly resource?: readonly string[];
  readonly permission?: readonly string[];
  readonly result?: readonly DecisionResult[];
  readonly reason?: readonly DenialReasonName[];
}

/** CountPer is whom a count condition counts for: the nearest agent, or the principal (subject). */
export type CountPer = "agent" | "principal";

/**
 * RuleCondition is when a rule fires: on `any` match; the `first_use` of a permission by an
 * agent; or when `count` matches of one agent (or principal) fall within `withinMs`, at most once
 * per window of `withinMs` (windows aligned to the Unix epoch).
 */
export type RuleCondition =
  | { readonly kind: "any" }
  | { readonly kind: "first_use" }
  | {
      readonly kind: "count";
      readonly count: number;
      readonly withinMs: number;
      readonly per: CountPer;
    };

/** Webhook is where a rule POSTs its alerts, and the secret that signs them. */
export interface Webhook {
  readonly name: string;
  readonly url: URL;
  /** The environment variable holding the secret. */
  readonly secretEnv: string;
}

/** AlertRule is one rule of the file. */
export interface AlertRule {
  readonly name: string;
  readonly match: RuleMatch;
  readonly condition: RuleCondition;
  /** The webhook it POSTs to, by name. */
  readonly webhook?: string;
  /** Whether it suspends the agent, and for how long (undefined: until resumed). */
  readonly suspend?: { readonly forMs?: number };
}

/** AlertRules are a whole rule file. */
export interface AlertRules {
  readonly rules: readonly AlertRule[];
  readonly webhooks: ReadonlyMap<string, Webhook>;
}
