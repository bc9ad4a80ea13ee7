// The Decisions page: search the decision log by the URL's query, newest first, a page at a time.

import { useMemo, useState } from "preact/hooks";
import type { Decision } from "../../../src/gen/latch/v1/decision_service_pb.js";
import { UNARY_TIMEOUT_MS } from "../api/clients.js";
import { useClients } from "../api/clients-context.js";
import { useAction, useCall } from "../api/use-call.js";
import { CallView } from "../ui/call-view.js";
import { ErrorNote } from "../ui/error-note.js";
import { filterOf, queryFromParams } from "./decision-query.js";
import { DecisionSearchForm } from "./decision-search-form.js";
import { DecisionTable } from "./decision-table.js";

const PAGE_SIZE = 50;

/** DecisionsPage shows the search form and the decisions matching the URL's query. */
export function DecisionsPage({ query: params }: { readonly query: URLSearchParams }) {
  const clients = useClients();
  const search = params.toString();
  // The query's text is its identity: the same text is the same search, not a new one.
  const query = useMemo(() => queryFromParams(params), [search]);
  const filter = filterOf(query);
  const [more, setMore] = useState<{ decisions: Decision[]; cursor: string }>();
  const [loading, load] = useAction();
  const [state, retry] = useCall(
    async (signal) => {
      setMore(undefined);
      if (!filter.ok) return { decisions: [], nextCursor: "" };
      return clients.decisions.listDecisions(
        { filter: filter.filter, pageSize: PAGE_SIZE },
        { signal, timeoutMs: UNARY_TIMEOUT_MS },
      );
    },
    [search],
  );
  const loadMore = (cursor: string, shown: Decision[]) =>
    load(async (signal) => {
      if (!filter.ok) return;
      const page = await clients.decisions.listDecisions(
        { filter: filter.filter, pageSize: PAGE_SIZE, cursor },
        { signal, timeoutMs: UNARY_TIMEOUT_MS },
      );
      setMore({ decisions: [...shown, ...page.decisions], cursor: page.nextCursor });
    });
  return (
    <section>
      <h1>Decisions</h1>
      <DecisionSearchForm query={query} page="decisions" />
      {filter.ok ? null : <ErrorNote message={filter.error} />}
      <CallView state={state} what="decisions" onRetry={retry}>
        {(first) => {
          const decisions = more?.decisions ?? first.decisions;
          const cursor = more?.cursor ?? first.nextCursor;
          return (
            <>
              <DecisionTable decisions={decisions} />
              {cursor === "" ? null : (
                <button
                  type="button"
                  disabled={loading.running}
                  onClick={() => loadMore(cursor, decisions)}
                >
                  {loading.running ? "Loading…" : "Older decisions"}
                </button>
              )}
              {loading.error === undefined ? null : <ErrorNote message={loading.error} />}
            </>
          );
        }}
      </CallView>
    </section>
  );
}
