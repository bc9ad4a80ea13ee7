// The alert filter's fields; submitting puts them in the URL, which the page filters by.

import { useEffect, useState } from "preact/hooks";
import { consoleHref, navigate } from "../routing/route.js";
import { ALERT_QUERY_FIELDS, type AlertQuery } from "./alert-query.js";

/** AlertSearchForm edits query and, on submit, navigates to the Alerts page it describes. */
export function AlertSearchForm({ query }: { readonly query: AlertQuery }) {
  const [draft, setDraft] = useState(query);
  useEffect(() => setDraft(query), [query]);
  const set = (name: keyof AlertQuery, value: string) =>
    setDraft((current) => ({ ...current, [name]: value }));
  const submit = (event: Event) => {
    event.preventDefault();
    const entries = ALERT_QUERY_FIELDS.map((name) => [name, draft[name].trim()] as const);
    navigate(consoleHref(["alerts"], Object.fromEntries(entries)));
  };
  return (
    <form class="search" onSubmit={submit} aria-label="Filter the alerts">
      <label>
        Rule
        <input
          name="rule"
          value={draft.rule}
          placeholder="denial-burst"
          onInput={(event) => set("rule", event.currentTarget.value)}
        />
      </label>
      <label>
        Status
        <select
          name="status"
          value={draft.status}
          onChange={(event) => set("status", event.currentTarget.value)}
        >
          <option value="">any</option>
          <option value="open">open</option>
          <option value="acknowledged">acknowledged</option>
        </select>
      </label>
      <label>
        Agent
        <input
          name="agent"
          value={draft.agent}
          placeholder="agent:bot"
          onInput={(event) => set("agent", event.currentTarget.value)}
        />
      </label>
      <button type="submit">Filter</button>
    </form>
  );
}
