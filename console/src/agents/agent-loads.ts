// What the Agents page reads: the suspensions in force, the agents' relationships, recent decisions and alerts.

import type { Suspension } from "../../../src/gen/latch/v1/agent_service_pb.js";
import type { Alert } from "../../../src/gen/latch/v1/alert_service_pb.js";
import type { Relationship } from "../../../src/gen/latch/v1/core_pb.js";
import type { Decision } from "../../../src/gen/latch/v1/decision_service_pb.js";
import { type Clients, UNARY_TIMEOUT_MS } from "../api/clients.js";
import { AGENT_TYPE } from "./agent-roster.js";

/** The most suspensions and agent relationships the page reads, and recent decisions and alerts. */
const MOST_SUSPENSIONS = 1000;
const MOST_RELATIONSHIPS = 1000;
const RECENT_DECISIONS = 500;
const RECENT_ALERTS = 500;

/** loadSuspensions reads every suspension in force (up to a thousand), fully consistent. */
export async function loadSuspensions(
  clients: Clients,
  signal: AbortSignal,
): Promise<Suspension[]> {
  const response = await clients.agents.listSuspensions(
    {
      pageSize: MOST_SUSPENSIONS,
      consistency: { requirement: { case: "fullyConsistent", value: true } },
    },
    { signal, timeoutMs: UNARY_TIMEOUT_MS },
  );
  return response.suspensions;
}

/** loadAgentRelationships reads the relationships of agents' objects: whom each acts for. */
export async function loadAgentRelationships(
  clients: Clients,
  signal: AbortSignal,
): Promise<Relationship[]> {
  const found: Relationship[] = [];
  const stream = clients.relationships.readRelationships(
    { filter: { resourceType: AGENT_TYPE }, limit: MOST_RELATIONSHIPS },
    { signal, timeoutMs: UNARY_TIMEOUT_MS },
  );
  for await (const response of stream) {
    if (response.relationship !== undefined) found.push(response.relationship);
  }
  return found;
}

/** loadRecentDecisions reads the latest decisions, for the agents' counts. */
export async function loadRecentDecisions(
  clients: Clients,
  signal: AbortSignal,
): Promise<Decision[]> {
  const response = await clients.decisions.listDecisions(
    { pageSize: RECENT_DECISIONS },
    { signal, timeoutMs: UNARY_TIMEOUT_MS },
  );
  return response.decisions;
}

/** loadRecentAlerts reads the latest alerts, newest first, for each agent's. */
export async function loadRecentAlerts(clients: Clients, signal: AbortSignal): Promise<Alert[]> {
  const response = await clients.alerts.listAlerts(
    { pageSize: RECENT_ALERTS },
    { signal, timeoutMs: UNARY_TIMEOUT_MS },
  );
  return response.alerts;
}
