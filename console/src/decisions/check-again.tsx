// "Check again now": the decision's question asked again at full consistency, and whether the answer changed.

import { useState } from "preact/hooks";
import type { Decision } from "../../../src/gen/latch/v1/decision_service_pb.js";
import {
  type CheckResponse,
  DecisionLeg_Kind,
} from "../../../src/gen/latch/v1/permission_service_pb.js";
import { parseSubjectRef } from "../../../src/tuple/parse-ref.js";
import { UNARY_TIMEOUT_MS } from "../api/clients.js";
import { useClients } from "../api/clients-context.js";
import { objectInput, subjectInput } from "../api/parse-input.js";
import { subjectText } from "../api/ref-text.js";
import { useAction } from "../api/use-call.js";
import { ErrorNote } from "../ui/error-note.js";
import { ResultBadge } from "../ui/result-badge.js";
import { explanationTree } from "./proof-tree.js";
import { ProofTreeView } from "./proof-tree-view.js";

const LEG_KINDS: Readonly<Record<DecisionLeg_Kind, string>> = {
  [DecisionLeg_Kind.UNSPECIFIED]: "check",
  [DecisionLeg_Kind.SUSPENSION]: "suspension",
  [DecisionLeg_Kind.DELEGATION]: "delegation",
  [DecisionLeg_Kind.PERMISSION]: "permission",
};

/**
 * CheckAgain asks decision's question again (same subject, actors, resource, permission and
 * context, explained, fully consistent) and shows the new answer next to the recorded one, with
 * each leg's answer and the new proof.
 */
export function CheckAgain({ decision }: { readonly decision: Decision }) {
  const clients = useClients();
  const [answer, setAnswer] = useState<CheckResponse>();
  const [action, run] = useAction();
  const ask = () =>
    run(async (signal) => {
      const response = await clients.permissions.check(
        {
          resource: objectInput("resource", decision.resource),
          permission: decision.permission,
          subject: subjectInput("subject", decision.subject),
          actors: decision.actors.map((actor) => subjectInput("actor", actor)),
          ...(decision.context === undefined ? {} : { context: decision.context }),
          consistency: { requirement: { case: "fullyConsistent", value: true } },
          explain: true,
        },
        { signal, timeoutMs: UNARY_TIMEOUT_MS },
      );
      setAnswer(response);
    });
  const maskedContext = decision.masked.some((path) => path.startsWith("context."));
  const subject = parseSubjectRef(decision.subject);
  return (
    <section aria-labelledby="check-again">
      <h2 id="check-again">Check again now</h2>
      <p class="hint">
        Asks the same question now, at full consistency, with the recorded context.
        {maskedContext
          ? " Some context values were masked in the log and are sent as their hashes, so a caveat on them may answer differently."
          : ""}
      </p>
      <button type="button" onClick={ask} disabled={action.running}>
        {action.running ? "Checking…" : "Check again now"}
      </button>
      {action.error === undefined ? null : <ErrorNote message={action.error} />}
      {answer === undefined ? null : (
        <div class="check-again" role="status">
          <p>
            Now: <ResultBadge result={answer.result} />{" "}
            {answer.result === decision.result
              ? "— the same answer as recorded."
              : "— the answer has changed since it was recorded."}
          </p>
          <p class="hint">Checked at token {answer.checkedAt}.</p>
          {answer.legs.length === 0 ? null : (
            <>
              <h3>Legs</h3>
              <ol>
                {answer.legs.map((leg) => (
                  <li key={`${leg.kind}-${subjectText(leg.member)}`}>
                    {LEG_KINDS[leg.kind]} of <code>{subjectText(leg.member)}</code>:{" "}
                    <ResultBadge result={leg.result} />
                  </li>
                ))}
              </ol>
            </>
          )}
          {answer.explanation === undefined || !subject.ok ? null : (
            <>
              <h3>Proof now</h3>
              <ProofTreeView nodes={explanationTree(answer.explanation, subject.value)} />
            </>
          )}
        </div>
      )}
    </section>
  );
}
