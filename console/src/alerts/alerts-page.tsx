// The Alerts page: the alerts the URL's filter matches, newest first, new ones as they are raised; acknowledge.

import { useMemo, useState } from "preact/hooks";
import { AlertService } from "../../../src/gen/latch/v1/alert_service_pb.js";
import { useClients } from "../api/clients-context.js";
import { ErrorNote } from "../ui/error-note.js";
import { Loading } from "../ui/loading.js";
import { ScopeNote } from "../ui/scope-note.js";
import { alertFilterOf, alertQueryFromParams } from "./alert-query.js";
import { AlertSearchForm } from "./alert-search-form.js";
import { AlertTable } from "./alert-table.js";
import { newestFirst } from "./newest-first.js";
import { LISTED, useAlertBook } from "./use-alert-book.js";

/** AlertsPage shows the filter, and the alerts it matches as they are raised and acknowledged. */
export function AlertsPage({ query: params }: { readonly query: URLSearchParams }) {
  const clients = useClients();
  const search = params.toString();
  // The query's text is its identity: the same text is the same filter.
  const query = useMemo(() => alertQueryFromParams(params), [search]);
  const filter = alertFilterOf(query);
  const [reloads, setReloads] = useState(0);
  const reload = () => setReloads((n) => n + 1);
  const [state, acknowledged] = useAlertBook(
    clients,
    filter.ok ? filter.filter : undefined,
    `${search}#${reloads}`,
  );
  return (
    <section>
      <h1>Alerts</h1>
      <AlertSearchForm query={query} />
      {!filter.ok ? (
        <ErrorNote message={filter.error} />
      ) : state.status === "loading" ? (
        <Loading what="alerts" />
      ) : state.status === "failed" ? (
        <ErrorNote message={state.message} onRetry={reload} />
      ) : (
        <>
          {state.status === "live" ? (
            <p class="hint" role="status">
              Live: alerts appear as they are raised (the newest {LISTED} listed first).
            </p>
          ) : (
            <ErrorNote message={`Live updates stopped: ${state.stopped}`} onRetry={reload} />
          )}
          <ScopeNote
            method={AlertService.method.acknowledgeAlert}
            action="Acknowledging an alert"
          />
          <AlertTable alerts={newestFirst(state.alerts)} onAcknowledged={acknowledged} />
        </>
      )}
    </section>
  );
}
