// The Relationships page: relationships by a filter in the URL (the CLI's filter syntax), write one, delete one.

import { useEffect, useState } from "preact/hooks";
import { parseFilter } from "../../../src/cli/query-arguments.js";
import type { Relationship } from "../../../src/gen/latch/v1/core_pb.js";
import { RelationshipService } from "../../../src/gen/latch/v1/relationship_service_pb.js";
import { useAllows } from "../api/access-context.js";
import { UNARY_TIMEOUT_MS } from "../api/clients.js";
import { useClients } from "../api/clients-context.js";
import { useCall } from "../api/use-call.js";
import { consoleHref, navigate } from "../routing/route.js";
import { CallView } from "../ui/call-view.js";
import { ScopeNote } from "../ui/scope-note.js";
import { RelationshipList } from "./relationship-list.js";
import { WriteRelationshipForm } from "./write-relationship-form.js";

/** The most relationships a page lists. */
const PAGE_SIZE = 200;

/**
 * RelationshipsPage lists the relationships the URL's `filter` matches (all, without one), at
 * least as fresh as the page's last write, and writes or deletes one.
 */
export function RelationshipsPage({ query }: { readonly query: URLSearchParams }) {
  const clients = useClients();
  const mayWrite = useAllows()(RelationshipService.method.writeRelationships);
  const filterText = query.get("filter") ?? "";
  const [draft, setDraft] = useState(filterText);
  useEffect(() => setDraft(filterText), [filterText]);
  const [token, setToken] = useState<string>();
  const [state, retry] = useCall(
    async (signal) => {
      const filter = filterText === "" ? {} : parseFilter(filterText);
      const found: Relationship[] = [];
      const stream = clients.relationships.readRelationships(
        {
          filter,
          limit: PAGE_SIZE + 1,
          ...(token === undefined
            ? {}
            : { consistency: { requirement: { case: "atLeastAsFresh", value: token } } }),
        },
        { signal, timeoutMs: UNARY_TIMEOUT_MS },
      );
      for await (const response of stream) {
        if (response.relationship !== undefined) found.push(response.relationship);
      }
      return found;
    },
    [filterText, token],
  );
  const search = (event: Event) => {
    event.preventDefault();
    navigate(consoleHref(["relationships"], { filter: draft.trim() }));
  };
  return (
    <section>
      <h1>Relationships</h1>
      <form class="search" onSubmit={search} aria-label="Filter relationships">
        <label>
          Filter
          <input
            name="filter"
            value={draft}
            placeholder="document:plan#viewer, @user:alice"
            onInput={(event) => setDraft(event.currentTarget.value)}
          />
        </label>
        <button type="submit">Show</button>
      </form>
      <p class="hint">
        A relationship with its tail left off, or ids left out: <code>document</code>,{" "}
        <code>document:plan#viewer</code>, <code>document#viewer@user</code>, or only the subject:{" "}
        <code>@user:alice</code>.
      </p>
      {mayWrite ? <WriteRelationshipForm onWritten={setToken} /> : null}
      <ScopeNote
        method={RelationshipService.method.writeRelationships}
        action="Writing or deleting a relationship"
      />
      <CallView state={state} what="relationships" onRetry={retry}>
        {(found) => (
          <>
            <RelationshipList
              relationships={found.slice(0, PAGE_SIZE)}
              onDeleted={mayWrite ? setToken : undefined}
            />
            {found.length > PAGE_SIZE ? (
              <p class="hint">
                Only the first {PAGE_SIZE} are shown: narrow the filter to see the others.
              </p>
            ) : null}
          </>
        )}
      </CallView>
    </section>
  );
}
