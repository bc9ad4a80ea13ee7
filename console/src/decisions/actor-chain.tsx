// The chain of a decision: the subject, then each agent acting for the one before, and which one failed.

import { type Decision, DecisionKind } from "../../../src/gen/latch/v1/decision_service_pb.js";
import { CheckResult } from "../../../src/gen/latch/v1/permission_service_pb.js";

/**
 * ActorChain lists the subject and its actors, nearest first, each with its answer as recorded:
 * a denied check names the member that failed and why; in an allowed one every member passed.
 */
export function ActorChain({ decision }: { readonly decision: Decision }) {
  const chain = [decision.subject, ...decision.actors];
  const answer = (member: string) => {
    if (decision.result === CheckResult.ALLOWED) return "passed";
    if (decision.result === CheckResult.CONDITIONAL) return "passed or conditional";
    if (decision.deniedBy === member) return `denied: ${decision.reason.replaceAll("_", " ")}`;
    return decision.deniedBy === "" ? "denied" : "not the failing member";
  };
  return (
    <ol class="chain">
      {chain.map((member, index) => (
        <li key={member}>
          <code>{member}</code> {index === 0 ? "(the subject)" : `(acting for ${chain[index - 1]})`}
          {decision.kind === DecisionKind.CHECK ? <> — {answer(member)}</> : null}
        </li>
      ))}
    </ol>
  );
}
