// The Live page: decisions as they happen, filtered by the URL's query, pausable, with counts per agent.

import { useMemo, useRef, useState } from "preact/hooks";
import type { Decision } from "../../../src/gen/latch/v1/decision_service_pb.js";
import { useClients } from "../api/clients-context.js";
import { filterOf, queryFromParams } from "../decisions/decision-query.js";
import { DecisionSearchForm } from "../decisions/decision-search-form.js";
import { DecisionTable } from "../decisions/decision-table.js";
import { ErrorNote } from "../ui/error-note.js";
import { AgentCountTable } from "./agent-count-table.js";
import { type AgentCount, countAgents } from "./agent-counts.js";
import { useDecisionStream } from "./use-decision-stream.js";

/** The most decisions the page keeps on screen, newest first. */
const SHOWN = 200;

/**
 * LivePage streams the decisions the URL's filter matches. Paused, it keeps counting and holds
 * new decisions back; resumed, it shows them.
 */
export function LivePage({ query: params }: { readonly query: URLSearchParams }) {
  const clients = useClients();
  const search = params.toString();
  // The query's text is its identity: the same text is the same filter.
  const query = useMemo(() => ({ ...queryFromParams(params), since: "", until: "" }), [search]);
  const filter = filterOf(query);
  const [shown, setShown] = useState<readonly Decision[]>([]);
  const [held, setHeld] = useState<readonly Decision[]>([]);
  const [counts, setCounts] = useState<ReadonlyMap<string, AgentCount>>(new Map());
  const [paused, setPaused] = useState(false);
  const [reconnects, setReconnects] = useState(0);
  const pausedNow = useRef(paused);
  pausedNow.current = paused;
  const stream = useDecisionStream(
    clients,
    filter.ok ? filter.filter : undefined,
    `${search}#${reconnects}`,
    (decisions) => {
      const newestFirst = [...decisions].reverse();
      setCounts((previous) => countAgents(previous, decisions));
      if (pausedNow.current) setHeld((previous) => [...newestFirst, ...previous].slice(0, SHOWN));
      else setShown((previous) => [...newestFirst, ...previous].slice(0, SHOWN));
    },
  );
  const resume = () => {
    setShown((previous) => [...held, ...previous].slice(0, SHOWN));
    setHeld([]);
    setPaused(false);
  };
  return (
    <section>
      <h1>Live</h1>
      <DecisionSearchForm query={query} page="live" />
      {filter.ok ? null : <ErrorNote message={filter.error} />}
      {stream.status === "live" ? (
        <p role="status" class="hint">
          {paused
            ? `Paused: ${held.length} new decisions held back.`
            : "Live: decisions appear as they are made."}
        </p>
      ) : (
        <ErrorNote
          message={`The live stream stopped: ${stream.message}`}
          onRetry={() => setReconnects((n) => n + 1)}
        />
      )}
      <p>
        {paused ? (
          <button type="button" onClick={resume}>
            Resume
          </button>
        ) : (
          <button type="button" onClick={() => setPaused(true)}>
            Pause
          </button>
        )}
      </p>
      <h2>Agents</h2>
      <AgentCountTable counts={counts} />
      <h2>Decisions</h2>
      {shown.length === 0 ? (
        <p>No decision since the page opened.</p>
      ) : (
        <DecisionTable decisions={shown} />
      )}
    </section>
  );
}
