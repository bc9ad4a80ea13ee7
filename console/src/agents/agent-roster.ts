// Who the agents are: every agent seen in relationships, decisions or alerts, whom it acts for, its denials, alerts and suspension.

import type { Suspension } from "../../../src/gen/latch/v1/agent_service_pb.js";
import { type Alert, AlertStatus } from "../../../src/gen/latch/v1/alert_service_pb.js";
import type { Relationship } from "../../../src/gen/latch/v1/core_pb.js";
import type { Decision } from "../../../src/gen/latch/v1/decision_service_pb.js";
import { CheckResult } from "../../../src/gen/latch/v1/permission_service_pb.js";
import { subjectText } from "../api/ref-text.js";

/** AGENT_TYPE is the object type of agents, as in the example schema. */
export const AGENT_TYPE = "agent";

/** How many of an agent's alerts its summary keeps, newest first. */
const ALERTS_SHOWN = 3;

/** AgentSummary is what the Agents page shows of one agent. */
export interface AgentSummary {
  /** `agent:bot`. */
  readonly agent: string;
  /** The subjects of its relationships (`owner`, `principal`): whom it may act for. */
  readonly actsFor: readonly string[];
  /** How many of the recent decisions it took part in were denials. */
  readonly recentDenials: number;
  /** How many recent decisions it took part in. */
  readonly recentDecisions: number;
  /** Its own suspension, when one is in force. */
  readonly suspension: Suspension | undefined;
  /** Its newest recent alerts (a few), newest first. */
  readonly alerts: readonly Alert[];
  /** How many of its recent alerts are open. */
  readonly openAlerts: number;
}

/**
 * agentRoster gathers the agents of relationships (objects of {@link AGENT_TYPE}), of decisions
 * (actors, and subjects of that type) and of alerts (newest first, as listed), in name order,
 * with whom each acts for (its relationships' subjects, by relation), its recent decisions and
 * denials, its recent alerts, and its suspension.
 */
export function agentRoster(
  relationships: readonly Relationship[],
  decisions: readonly Decision[],
  suspensions: readonly Suspension[],
  alerts: readonly Alert[],
): AgentSummary[] {
  const actsFor = new Map<string, Set<string>>();
  const counts = new Map<string, { decisions: number; denials: number }>();
  const see = (agent: string) => {
    if (!actsFor.has(agent)) actsFor.set(agent, new Set());
    return actsFor.get(agent)!;
  };
  for (const relationship of relationships) {
    const resource = relationship.resource;
    if (resource?.type !== AGENT_TYPE) continue;
    see(`${resource.type}:${resource.id}`).add(
      `${subjectText(relationship.subject)} (${relationship.relation})`,
    );
  }
  for (const decision of decisions) {
    const members = [decision.subject, ...decision.actors].filter((member) =>
      member.startsWith(`${AGENT_TYPE}:`),
    );
    for (const agent of new Set(members)) {
      see(agent);
      const count = counts.get(agent) ?? { decisions: 0, denials: 0 };
      count.decisions += 1;
      if (decision.result === CheckResult.DENIED) count.denials += 1;
      counts.set(agent, count);
    }
  }
  const alertsOf = new Map<string, Alert[]>();
  for (const alert of alerts) {
    if (!alert.agent.startsWith(`${AGENT_TYPE}:`)) continue;
    see(alert.agent);
    alertsOf.set(alert.agent, [...(alertsOf.get(alert.agent) ?? []), alert]);
  }
  const suspended = new Map(suspensions.map((s) => [subjectText(s.subject), s]));
  return [...actsFor.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([agent, principals]) => ({
      agent,
      actsFor: [...principals].sort(),
      recentDecisions: counts.get(agent)?.decisions ?? 0,
      recentDenials: counts.get(agent)?.denials ?? 0,
      suspension: suspended.get(agent),
      alerts: (alertsOf.get(agent) ?? []).slice(0, ALERTS_SHOWN),
      openAlerts: (alertsOf.get(agent) ?? []).filter((a) => a.status === AlertStatus.OPEN).length,
    }));
}
