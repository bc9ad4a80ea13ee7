// The decision search's fields; submitting puts them in the URL, which the page searches by.

import { useEffect, useState } from "preact/hooks";
import { consoleHref, navigate } from "../routing/route.js";
import {
  type DecisionQuery,
  isoFromLocalInput,
  localInputValue,
  QUERY_FIELDS,
} from "./decision-query.js";

const TEXT_FIELDS = [
  { name: "subject", label: "Subject", placeholder: "user:alice" },
  { name: "actor", label: "Actor", placeholder: "agent:bot" },
  { name: "resource", label: "Resource", placeholder: "document:plan or document" },
  { name: "permission", label: "Permission", placeholder: "view" },
] as const;

/** DecisionSearchFormProps are the search shown, and the page it searches: Live has no time range. */
export interface DecisionSearchFormProps {
  readonly query: DecisionQuery;
  readonly page: "decisions" | "live";
}

/** DecisionSearchForm edits query and, on submit, navigates to page with the search it describes. */
export function DecisionSearchForm({ query, page }: DecisionSearchFormProps) {
  const [draft, setDraft] = useState(query);
  useEffect(() => setDraft(query), [query]);
  const set = (name: keyof DecisionQuery, value: string) =>
    setDraft((current) => ({ ...current, [name]: value }));
  const submit = (event: Event) => {
    event.preventDefault();
    const entries = QUERY_FIELDS.map((name) => [name, draft[name].trim()] as const);
    navigate(consoleHref([page], Object.fromEntries(entries)));
  };
  return (
    <form
      class="search"
      onSubmit={submit}
      aria-label={page === "live" ? "Filter the live decisions" : "Search decisions"}
    >
      {TEXT_FIELDS.map((field) => (
        <label key={field.name}>
          {field.label}
          <input
            name={field.name}
            value={draft[field.name]}
            placeholder={field.placeholder}
            onInput={(event) => set(field.name, event.currentTarget.value)}
          />
        </label>
      ))}
      <label>
        Result
        <select
          name="result"
          value={draft.result}
          onChange={(event) => set("result", event.currentTarget.value)}
        >
          <option value="">any</option>
          <option value="allowed">allowed</option>
          <option value="denied">denied</option>
          <option value="conditional">conditional</option>
        </select>
      </label>
      {(page === "live" ? [] : (["since", "until"] as const)).map((name) => (
        <label key={name}>
          {name === "since" ? "From" : "Until"}
          <input
            type="datetime-local"
            name={name}
            value={localInputValue(draft[name])}
            onInput={(event) => set(name, isoFromLocalInput(event.currentTarget.value))}
          />
        </label>
      ))}
      <button type="submit">{page === "live" ? "Filter" : "Search"}</button>
    </form>
  );
}
