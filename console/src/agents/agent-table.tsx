// The agents, a row each: whom it acts for, its recent denials and alerts, its suspension, suspend or resume.

import { useState } from "preact/hooks";
import { AgentService } from "../../../src/gen/latch/v1/agent_service_pb.js";
import { useAllows } from "../api/access-context.js";
import { Link } from "../routing/link.js";
import { consoleHref } from "../routing/route.js";
import { TimeText } from "../ui/time-text.js";
import { AgentAlerts } from "./agent-alerts.js";
import type { AgentSummary } from "./agent-roster.js";
import { ResumeButton } from "./resume-button.js";
import { SuspendForm } from "./suspend-form.js";

/** AgentTableProps are the agents and what to do after one is suspended or resumed. */
export interface AgentTableProps {
  readonly agents: readonly AgentSummary[];
  readonly onChange: () => void;
}

/**
 * AgentTable lists agents; one row at a time opens its suspend form. A key that may not suspend
 * and resume gets no action column (the page says why).
 */
export function AgentTable({ agents, onChange }: AgentTableProps) {
  const [suspending, setSuspending] = useState<string>();
  const allows = useAllows();
  const mayAct = allows(AgentService.method.suspend) && allows(AgentService.method.resume);
  if (agents.length === 0) {
    return <p>No agent is seen yet: none has relationships or took part in a recent decision.</p>;
  }
  return (
    <div class="table-scroll">
      <table class="agents">
        <thead>
          <tr>
            <th scope="col">Agent</th>
            <th scope="col">Acts for</th>
            <th scope="col">Recent denials</th>
            <th scope="col">Recent alerts</th>
            <th scope="col">Status</th>
            {mayAct ? <th scope="col">Action</th> : null}
          </tr>
        </thead>
        <tbody>
          {agents.map((agent) => (
            <tr key={agent.agent}>
              <th scope="row">
                <Link href={consoleHref(["decisions"], { actor: agent.agent })}>
                  <code>{agent.agent}</code>
                </Link>
              </th>
              <td>{agent.actsFor.length === 0 ? "—" : agent.actsFor.join(", ")}</td>
              <td>
                <Link href={consoleHref(["decisions"], { actor: agent.agent, result: "denied" })}>
                  {agent.recentDenials} of {agent.recentDecisions}
                </Link>
              </td>
              <td>
                <AgentAlerts agent={agent} />
              </td>
              <td>
                {agent.suspension === undefined ? (
                  "active"
                ) : (
                  <>
                    suspended by {agent.suspension.suspendedBy}: {agent.suspension.reason}
                    {agent.suspension.expiresAt === undefined ? null : (
                      <>
                        {" "}
                        (until <TimeText at={agent.suspension.expiresAt} />)
                      </>
                    )}
                  </>
                )}
              </td>
              {mayAct ? (
                <td>
                  {agent.suspension !== undefined ? (
                    <ResumeButton
                      subject={agent.agent}
                      label={`Resume ${agent.agent}`}
                      onDone={onChange}
                    />
                  ) : suspending === agent.agent ? (
                    <SuspendForm
                      subject={agent.agent}
                      onDone={() => {
                        setSuspending(undefined);
                        onChange();
                      }}
                      onCancel={() => setSuspending(undefined)}
                    />
                  ) : (
                    <button type="button" onClick={() => setSuspending(agent.agent)}>
                      Suspend {agent.agent}…
                    </button>
                  )}
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
