// An alert as stored and returned: the firing of a rule, what decision completed it, who acknowledged it.

import { formatTimestamp } from "../tuple/timestamp.js";
import { agentOf } from "./rule-match.js";
import type { Firing } from "./rule-state.js";

/** AlertStatus is where an alert stands. */
export type AlertStatus = "open" | "acknowledged";

/** Alert is one alert. Field names are those of the webhook's JSON body. */
export interface Alert {
  /** A positive integer, as text: larger for later alerts. */
  readonly id: string;
  readonly rule: string;
  readonly key: string;
  readonly raisedAt: string;
  readonly decisionId: string;
  readonly decidedAt: string;
  readonly agent: string;
  readonly principal: string;
  readonly resource: string;
  readonly permission: string;
  readonly result: string;
  /** Empty unless the decision was a denied on-behalf-of check. */
  readonly reason: string;
  readonly count: number;
  readonly summary: string;
  readonly status: AlertStatus;
  readonly acknowledgedBy?: string;
  readonly acknowledgedAt?: string;
  readonly note?: string;
}

/** NewAlert is what a firing stores: an alert but for what the database assigns. */
export type NewAlert = Omit<Alert, "id" | "raisedAt" | "status">;

/** newAlert is the alert firing raises. */
export function newAlert(firing: Firing): NewAlert {
  const { rule, record, count } = firing;
  const agent = agentOf(record);
  const what = `${record.result} ${record.resource}#${record.permission}`;
  const condition = rule.condition;
  const why =
    condition.kind === "count"
      ? `${count} matching decisions of ${firing.key} within ${condition.withinMs / 1000}s`
      : condition.kind === "first_use"
        ? `first use of ${record.permission} by ${agent}`
        : "a matching decision";
  return {
    rule: rule.name,
    key: firing.key,
    decisionId: record.decisionId,
    decidedAt: formatTimestamp(new Date(record.time)),
    agent,
    principal: record.subject,
    resource: record.resource,
    permission: record.permission,
    result: record.result ?? "",
    reason: record.reason ?? "",
    count,
    summary: `alert rule ${rule.name}: ${why} (last: ${agent} for ${record.subject}: ${what})`,
  };
}
