// A recorded decision's proof: the relationships that granted it (caveats, expiries), or why it was denied.

import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { TimeText } from "../ui/time-text.js";
import type { RecordedProof } from "./proof-tree.js";
import { ProofTreeView } from "./proof-tree-view.js";

/** RecordedProofView shows proof, as the decision log kept it. */
export function RecordedProofView({ proof }: { readonly proof: RecordedProof }) {
  if (proof.unavailable !== undefined) return <p>No proof was recorded: {proof.unavailable}</p>;
  return (
    <div class="proof">
      {proof.grantedBy.length === 0 ? null : (
        <>
          <h3>Granted by</h3>
          <ol class="granted-by">
            {proof.grantedBy.map((entry) => (
              <li key={entry.relationship}>
                <code>{entry.relationship}</code>
                <ul class="details">
                  {entry.caveat === undefined ? null : (
                    <li>
                      caveat <code>{entry.caveat}</code>
                      {entry.caveatResult === undefined ? "" : `: ${entry.caveatResult}`}
                      {entry.caveatContext === undefined ? null : (
                        <>
                          {" "}
                          with <code>{JSON.stringify(entry.caveatContext)}</code>
                        </>
                      )}
                    </li>
                  )}
                  {entry.expiresAt === undefined ? null : (
                    <li>
                      expires <TimeText at={timestampFromDate(new Date(entry.expiresAt))} />
                    </li>
                  )}
                  {entry.accessRequest === undefined ? null : (
                    <li>
                      the grant of access request <code>{entry.accessRequest}</code>
                    </li>
                  )}
                </ul>
              </li>
            ))}
          </ol>
        </>
      )}
      {proof.failingLeg === undefined ? null : (
        <p>
          Failing leg: the {proof.failingLeg.kind} check of <code>{proof.failingLeg.member}</code>{" "}
          was {proof.failingLeg.result}.
        </p>
      )}
      {proof.tried.length === 0 ? null : (
        <>
          <h3>What was tried</h3>
          <ProofTreeView nodes={proof.tried} />
        </>
      )}
      {proof.truncated ? <p class="hint">The proof was cut at its bound.</p> : null}
    </div>
  );
}
