// Decisions as rows: when, who (the nearest agent, or the subject) for whom, what, the answer; each opens the decision.

import type { Decision } from "../../../src/gen/latch/v1/decision_service_pb.js";
import { Link } from "../routing/link.js";
import { consoleHref } from "../routing/route.js";
import { ResultBadge } from "../ui/result-badge.js";
import { TimeText } from "../ui/time-text.js";

/** DecisionTable lists decisions, newest first as given. */
export function DecisionTable({ decisions }: { readonly decisions: readonly Decision[] }) {
  if (decisions.length === 0) return <p>No decision matches.</p>;
  return (
    <div class="table-scroll">
      <table class="decisions">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Who</th>
            <th scope="col">On behalf of</th>
            <th scope="col">Permission</th>
            <th scope="col">Resource</th>
            <th scope="col">Result</th>
            <th scope="col">Reason</th>
          </tr>
        </thead>
        <tbody>
          {decisions.map((decision) => (
            <tr key={decision.decisionId}>
              <td>
                <Link href={consoleHref(["decisions", decision.decisionId])}>
                  <TimeText at={decision.time} />
                </Link>
              </td>
              <td>{decision.actors[0] ?? decision.subject}</td>
              <td>{decision.actors.length === 0 ? "—" : decision.subject}</td>
              <td>{decision.permission}</td>
              <td>{decision.resource}</td>
              <td>
                <ResultBadge result={decision.result} />
              </td>
              <td>{decision.reason.replaceAll("_", " ")}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
