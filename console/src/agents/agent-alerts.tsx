// An agent's recent alerts in its row: the newest few, and a link to all of them on the Alerts page.

import { alertStatusText } from "../alerts/alert-query.js";
import { Link } from "../routing/link.js";
import { consoleHref } from "../routing/route.js";
import { TimeText } from "../ui/time-text.js";
import type { AgentSummary } from "./agent-roster.js";

/** AgentAlerts shows agent's newest alerts (rule, status, when), or says it has none. */
export function AgentAlerts({ agent }: { readonly agent: AgentSummary }) {
  if (agent.alerts.length === 0) return <>none</>;
  return (
    <>
      <ul class="agent-alerts">
        {agent.alerts.map((alert) => (
          <li key={alert.id}>
            {alert.rule} ({alertStatusText(alert.status)}), <TimeText at={alert.raisedAt} />
          </li>
        ))}
      </ul>
      <Link href={consoleHref(["alerts"], { agent: agent.agent })}>
        {agent.openAlerts} open: every alert of {agent.agent}
      </Link>
    </>
  );
}
