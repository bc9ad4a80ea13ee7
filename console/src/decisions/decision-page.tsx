// A decision's page: who asked for whom, the chain's answer, the proof, its revision, and "check again now".

import { type Decision, DecisionKind } from "../../../src/gen/latch/v1/decision_service_pb.js";
import { UNARY_TIMEOUT_MS } from "../api/clients.js";
import { useClients } from "../api/clients-context.js";
import { useCall } from "../api/use-call.js";
import { Link } from "../routing/link.js";
import { consoleHref } from "../routing/route.js";
import { CallView } from "../ui/call-view.js";
import { ResultBadge } from "../ui/result-badge.js";
import { TimeText } from "../ui/time-text.js";
import { ActorChain } from "./actor-chain.js";
import { CheckAgain } from "./check-again.js";
import { readRecordedProof } from "./proof-tree.js";
import { RecordedProofView } from "./recorded-proof-view.js";

const KINDS: Readonly<Record<DecisionKind, string>> = {
  [DecisionKind.UNSPECIFIED]: "decision",
  [DecisionKind.CHECK]: "Check",
  [DecisionKind.LOOKUP_RESOURCES]: "LookupResources",
  [DecisionKind.LOOKUP_SUBJECTS]: "LookupSubjects",
};

/** DecisionPage loads the decision of id and shows it whole. */
export function DecisionPage({ id }: { readonly id: string }) {
  const clients = useClients();
  const [state, retry] = useCall(
    (signal) =>
      clients.decisions.getDecision({ decisionId: id }, { signal, timeoutMs: UNARY_TIMEOUT_MS }),
    [id],
  );
  return (
    <section>
      <p>
        <Link href={consoleHref(["decisions"])}>← All decisions</Link>
      </p>
      <CallView state={state} what="the decision" onRetry={retry}>
        {({ decision }) =>
          decision === undefined ? (
            <p>The server sent no decision.</p>
          ) : (
            <DecisionView decision={decision} />
          )
        }
      </CallView>
    </section>
  );
}

function DecisionView({ decision }: { readonly decision: Decision }) {
  const isCheck = decision.kind === DecisionKind.CHECK;
  return (
    <>
      <h1>
        {KINDS[decision.kind]}: <code>{decision.resource}</code> {decision.permission}{" "}
        <ResultBadge result={decision.result} />
      </h1>
      <dl class="facts">
        <dt>When</dt>
        <dd>
          <TimeText at={decision.time} />
        </dd>
        <dt>Asked by key</dt>
        <dd>{decision.apiKey === "" ? "none (development mode)" : decision.apiKey}</dd>
        {decision.reason === "" ? null : (
          <>
            <dt>Reason</dt>
            <dd>{decision.reason.replaceAll("_", " ")}</dd>
          </>
        )}
        {decision.missingParameters.length === 0 ? null : (
          <>
            <dt>Missing caveat parameters</dt>
            <dd>{decision.missingParameters.join(", ")}</dd>
          </>
        )}
        <dt>Token</dt>
        <dd>
          <code>{decision.token}</code>
        </dd>
        <dt>Revision</dt>
        <dd>
          {String(decision.revision)} (schema revision {String(decision.schemaRevision)})
        </dd>
        <dt>Latency</dt>
        <dd>
          {(Number(decision.latencyUs) / 1000).toFixed(2)} ms
          {decision.cached ? ", from the cache" : ""}
        </dd>
        {decision.lookup === undefined ? null : (
          <>
            <dt>Returned</dt>
            <dd>{String(decision.lookup.returned)}</dd>
          </>
        )}
        {decision.origin === undefined ? null : (
          <>
            <dt>Origin</dt>
            <dd>
              <code>{JSON.stringify(decision.origin)}</code>
            </dd>
          </>
        )}
        {decision.traceId === "" ? null : (
          <>
            <dt>Trace</dt>
            <dd>
              <code>{decision.traceId}</code>
            </dd>
          </>
        )}
      </dl>
      <h2>Actor chain</h2>
      <ActorChain decision={decision} />
      <h2>Proof</h2>
      <RecordedProofView proof={readRecordedProof(decision.proof)} />
      {decision.masked.length === 0 ? null : (
        <p class="hint">Masked in the log: {decision.masked.join(", ")}.</p>
      )}
      {isCheck ? <CheckAgain decision={decision} /> : null}
    </>
  );
}
