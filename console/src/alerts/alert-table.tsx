// Alerts as rows: when, which rule, which agent, what happened (its decision), where it stands.

import type { Alert } from "../../../src/gen/latch/v1/alert_service_pb.js";
import { AlertService, AlertStatus } from "../../../src/gen/latch/v1/alert_service_pb.js";
import { useAllows } from "../api/access-context.js";
import { Link } from "../routing/link.js";
import { consoleHref } from "../routing/route.js";
import { TimeText } from "../ui/time-text.js";
import { AcknowledgeForm } from "./acknowledge-form.js";
import { alertStatusText } from "./alert-query.js";

/** AlertTableProps are the alerts, newest first, and what to do with one acknowledged. */
export interface AlertTableProps {
  readonly alerts: readonly Alert[];
  readonly onAcknowledged: (alert: Alert) => void;
}

/** AlertTable lists alerts; each open one has its acknowledgement form. */
export function AlertTable({ alerts, onAcknowledged }: AlertTableProps) {
  const mayAcknowledge = useAllows()(AlertService.method.acknowledgeAlert);
  if (alerts.length === 0) return <p>No alert matches.</p>;
  return (
    <div class="table-scroll">
      <table class="alerts">
        <thead>
          <tr>
            <th scope="col">Raised</th>
            <th scope="col">Rule</th>
            <th scope="col">Agent</th>
            <th scope="col">What happened</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {alerts.map((alert) => (
            <tr key={alert.id}>
              <td>
                <TimeText at={alert.raisedAt} />
              </td>
              <td>
                <Link href={consoleHref(["alerts"], { rule: alert.rule })}>{alert.rule}</Link>
              </td>
              <td>
                <Link href={consoleHref(["alerts"], { agent: alert.agent })}>
                  <code>{alert.agent}</code>
                </Link>
              </td>
              <td>
                {alert.summary}{" "}
                <Link href={consoleHref(["decisions", alert.decisionId])}>(the decision)</Link>
              </td>
              <td>
                <span class={`badge badge-${alertStatusText(alert.status)}`}>
                  {alertStatusText(alert.status)}
                </span>
                {alert.status === AlertStatus.ACKNOWLEDGED ? (
                  <p>
                    by {alert.acknowledgedBy}, <TimeText at={alert.acknowledgedAt} />
                    {alert.note === "" ? null : `: ${alert.note}`}
                  </p>
                ) : mayAcknowledge ? (
                  <AcknowledgeForm alert={alert} onDone={onAcknowledged} />
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
