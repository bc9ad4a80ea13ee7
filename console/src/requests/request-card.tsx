// One pending request: what, for how long, why, who asked, the subject's recent decisions, and the decision.

import { relationshipText } from "../../../src/cli/api-values.js";
import {
  type AccessRequest,
  ApprovalService,
} from "../../../src/gen/latch/v1/approval_service_pb.js";
import { useAllows } from "../api/access-context.js";
import { subjectText } from "../api/ref-text.js";
import { durationText } from "../ui/duration-text.js";
import { TimeText } from "../ui/time-text.js";
import { DecideForm } from "./decide-form.js";
import { RecentDecisions } from "./recent-decisions.js";

/** RequestCard shows a pending request and the form that decides it. */
export function RequestCard({ request }: { readonly request: AccessRequest }) {
  const allows = useAllows();
  const mayDecide = allows(ApprovalService.method.approve) && allows(ApprovalService.method.deny);
  const relationship = relationshipText(request.relationship);
  const subject = subjectText(request.relationship?.subject);
  return (
    <article class="request" aria-label={`Request for ${relationship}`}>
      <h3>
        <code>{relationship}</code> for {durationText(request.duration)}
      </h3>
      <blockquote>{request.justification}</blockquote>
      <dl class="facts">
        <dt>Asked by</dt>
        <dd>
          {request.requestedBy}, <TimeText at={request.requestedAt} />
        </dd>
        {request.actors.length === 0 ? null : (
          <>
            <dt>Acting for</dt>
            <dd>{request.actors.map(subjectText).join(", ")}</dd>
          </>
        )}
        <dt>Expires undecided</dt>
        <dd>
          <TimeText at={request.pendingUntil} />
        </dd>
      </dl>
      <details>
        <summary>Recent decisions of {subject}</summary>
        <RecentDecisions subject={subject} />
      </details>
      {mayDecide ? <DecideForm request={request} /> : null}
    </article>
  );
}
