// The Agents page: the emergency stop, every agent with whom it acts for, its denials and alerts, suspend and resume.

import { AgentService } from "../../../src/gen/latch/v1/agent_service_pb.js";
import { useClients } from "../api/clients-context.js";
import { useCall } from "../api/use-call.js";
import { CallView } from "../ui/call-view.js";
import { ErrorNote } from "../ui/error-note.js";
import { Loading } from "../ui/loading.js";
import { ScopeNote } from "../ui/scope-note.js";
import {
  loadAgentRelationships,
  loadRecentAlerts,
  loadRecentDecisions,
  loadSuspensions,
} from "./agent-loads.js";
import { AGENT_TYPE, agentRoster } from "./agent-roster.js";
import { AgentTable } from "./agent-table.js";
import { EmergencyStop } from "./emergency-stop.js";

/**
 * AgentsPage reads the suspensions and the agents' relationships (the page needs them), and the
 * recent decisions and alerts (for the counts and alerts; without the `audit` scope the page
 * says so and goes on).
 */
export function AgentsPage() {
  const clients = useClients();
  const [state, reload] = useCall(
    async (signal) => {
      const [suspensions, relationships] = await Promise.all([
        loadSuspensions(clients, signal),
        loadAgentRelationships(clients, signal),
      ]);
      return { suspensions, relationships };
    },
    [clients],
  );
  const [decisions] = useCall((signal) => loadRecentDecisions(clients, signal), [clients]);
  const [alerts] = useCall((signal) => loadRecentAlerts(clients, signal), [clients]);
  return (
    <section>
      <h1>Agents</h1>
      <CallView state={state} what="the agents" onRetry={reload}>
        {({ suspensions, relationships }) => {
          const stop = suspensions.find(
            (s) => s.subject?.object?.type === AGENT_TYPE && s.subject.object.id === "*",
          );
          if (decisions.status === "loading") return <Loading what="recent decisions" />;
          if (alerts.status === "loading") return <Loading what="recent alerts" />;
          const recent = decisions.status === "done" ? decisions.value : [];
          return (
            <>
              <EmergencyStop stop={stop} onChange={reload} />
              <h2>Every agent</h2>
              <ScopeNote method={AgentService.method.suspend} action="Suspending an agent" />
              {decisions.status === "failed" ? (
                <ErrorNote message={`Recent decisions are not counted. ${decisions.message}`} />
              ) : (
                <p class="hint">Denials are counted over the latest {recent.length} decisions.</p>
              )}
              {alerts.status === "failed" ? (
                <ErrorNote message={`Alerts are not shown. ${alerts.message}`} />
              ) : null}
              <AgentTable
                agents={agentRoster(
                  relationships,
                  recent,
                  suspensions,
                  alerts.status === "done" ? alerts.value : [],
                )}
                onChange={reload}
              />
            </>
          );
        }}
      </CallView>
    </section>
  );
}
