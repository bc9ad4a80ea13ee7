// A Check's answer, explained: who in the chain denied it and why, each leg's answer, the proof as a tree.

import {
  type CheckResponse,
  DecisionLeg_Kind,
  DenialReason,
} from "../../../src/gen/latch/v1/permission_service_pb.js";
import type { SubjectRef } from "../../../src/tuple/relationship.js";
import { subjectText } from "../api/ref-text.js";
import { ResultBadge } from "../ui/result-badge.js";
import { explanationTree } from "./proof-tree.js";
import { ProofTreeView } from "./proof-tree-view.js";

const LEG_KINDS: Readonly<Record<DecisionLeg_Kind, string>> = {
  [DecisionLeg_Kind.UNSPECIFIED]: "check",
  [DecisionLeg_Kind.SUSPENSION]: "suspension",
  [DecisionLeg_Kind.DELEGATION]: "delegation",
  [DecisionLeg_Kind.PERMISSION]: "permission",
};

const REASONS: Readonly<Record<DenialReason, string>> = {
  [DenialReason.UNSPECIFIED]: "",
  [DenialReason.NO_PERMISSION]: "no permission",
  [DenialReason.NOT_DELEGATED]: "not delegated",
  [DenialReason.SUSPENDED]: "suspended",
  [DenialReason.CONDITION_FALSE]: "a caveat is false",
};

/** CheckAnswerViewProps are an explained Check's answer and the subject it was about. */
export interface CheckAnswerViewProps {
  readonly answer: CheckResponse;
  readonly subject: SubjectRef;
}

/** CheckAnswerView shows answer's token, denial, legs and proof. */
export function CheckAnswerView({ answer, subject }: CheckAnswerViewProps) {
  return (
    <>
      {answer.deniedBy === undefined ? null : (
        <p>
          Denied by <code>{subjectText(answer.deniedBy)}</code>: {REASONS[answer.reason]}.
        </p>
      )}
      {answer.missingParameters.length === 0 ? null : (
        <p>Missing caveat parameters: {answer.missingParameters.join(", ")}.</p>
      )}
      <p class="hint">
        Checked at token {answer.checkedAt}
        {answer.decisionId === "" ? "" : `, decision ${answer.decisionId}`}.
      </p>
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
      {answer.explanation === undefined ? null : (
        <>
          <h3>Proof</h3>
          <ProofTreeView nodes={explanationTree(answer.explanation, subject)} />
        </>
      )}
    </>
  );
}
