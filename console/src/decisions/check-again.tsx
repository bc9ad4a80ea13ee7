// "Check again now": the decision's question asked again at full consistency, and whether the answer changed.

import { useState } from "preact/hooks";
import type { Decision } from "../../../src/gen/latch/v1/decision_service_pb.js";
import {
  type CheckResponse,
  PermissionService,
} from "../../../src/gen/latch/v1/permission_service_pb.js";
import { parseSubjectRef } from "../../../src/tuple/parse-ref.js";
import { useAllows } from "../api/access-context.js";
import { UNARY_TIMEOUT_MS } from "../api/clients.js";
import { useClients } from "../api/clients-context.js";
import { objectInput, subjectInput } from "../api/parse-input.js";
import { useAction } from "../api/use-call.js";
import { ErrorNote } from "../ui/error-note.js";
import { ResultBadge } from "../ui/result-badge.js";
import { ScopeNote } from "../ui/scope-note.js";
import { CheckAnswerView } from "./check-answer-view.js";

/**
 * CheckAgain asks decision's question again (same subject, actors, resource, permission and
 * context, explained, fully consistent) and shows the new answer next to the recorded one, with
 * each leg's answer and the new proof.
 */
export function CheckAgain({ decision }: { readonly decision: Decision }) {
  const clients = useClients();
  const [answer, setAnswer] = useState<CheckResponse>();
  const [action, run] = useAction();
  const mayCheck = useAllows()(PermissionService.method.check);
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
          // The log tells this check from the agents' own: the console asked, about a decision.
          origin: { console: "check again", decision: decision.decisionId },
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
      {mayCheck ? (
        <button type="button" onClick={ask} disabled={action.running}>
          {action.running ? "Checking…" : "Check again now"}
        </button>
      ) : (
        <ScopeNote method={PermissionService.method.check} action="Checking again" />
      )}
      {action.error === undefined ? null : <ErrorNote message={action.error} />}
      {answer === undefined ? null : (
        <div class="check-again" role="status">
          <p>
            Now: <ResultBadge result={answer.result} />{" "}
            {answer.result === decision.result
              ? "— the same answer as recorded."
              : "— the answer has changed since it was recorded."}
          </p>
          {subject.ok ? <CheckAnswerView answer={answer} subject={subject.value} /> : null}
        </div>
      )}
    </section>
  );
}
