// The check playground: ask any Check (with actors and a caveat context), explained; the question lives in the URL.

import { useEffect, useMemo, useState } from "preact/hooks";
import { parseSubjectRef } from "../../../src/tuple/parse-ref.js";
import { UNARY_TIMEOUT_MS } from "../api/clients.js";
import { useClients } from "../api/clients-context.js";
import { useCall } from "../api/use-call.js";
import { CheckAnswerView } from "../decisions/check-answer-view.js";
import { consoleHref, navigate } from "../routing/route.js";
import { CallView } from "../ui/call-view.js";
import { ResultBadge } from "../ui/result-badge.js";
import {
  type CheckQuestion,
  checkRequest,
  isAsked,
  QUESTION_FIELDS,
  questionFromParams,
} from "./check-question.js";

const FIELDS = [
  { name: "resource", label: "Resource", placeholder: "document:plan" },
  { name: "permission", label: "Permission", placeholder: "view" },
  { name: "subject", label: "Subject", placeholder: "user:alice" },
  { name: "actors", label: "Actors (nearest first)", placeholder: "agent:assistant" },
  { name: "context", label: "Context (JSON)", placeholder: '{"ip": "10.0.0.1"}' },
] as const;

/** PlaygroundPage asks the question in the URL, explained and fully consistent, and shows why. */
export function PlaygroundPage({ query: params }: { readonly query: URLSearchParams }) {
  const clients = useClients();
  const search = params.toString();
  // The query's text is its identity: the same text is the same question.
  const question = useMemo(() => questionFromParams(params), [search]);
  const [draft, setDraft] = useState<CheckQuestion>(question);
  useEffect(() => setDraft(question), [question]);
  const [state, retry] = useCall(
    async (signal) =>
      isAsked(question)
        ? clients.permissions.check(checkRequest(question), { signal, timeoutMs: UNARY_TIMEOUT_MS })
        : undefined,
    [search],
  );
  const ask = (event: Event) => {
    event.preventDefault();
    const entries = QUESTION_FIELDS.map((name) => [name, draft[name].trim()] as const);
    navigate(consoleHref(["playground"], Object.fromEntries(entries)));
  };
  const subject = parseSubjectRef(question.subject);
  return (
    <section>
      <h1>Check playground</h1>
      <form class="search" onSubmit={ask} aria-label="Ask a check">
        {FIELDS.map((field) => (
          <label key={field.name}>
            {field.label}
            <input
              name={field.name}
              value={draft[field.name]}
              placeholder={field.placeholder}
              required={field.name !== "actors" && field.name !== "context"}
              onInput={(event) => {
                const { value } = event.currentTarget;
                setDraft((current) => ({ ...current, [field.name]: value }));
              }}
            />
          </label>
        ))}
        <button type="submit">Check</button>
      </form>
      <CallView state={state} what="the answer" onRetry={retry}>
        {(answer) =>
          answer === undefined || !subject.ok ? null : (
            <div class="check-answer" role="status">
              <h2>
                <ResultBadge result={answer.result} />
              </h2>
              <CheckAnswerView answer={answer} subject={subject.value} />
            </div>
          )
        }
      </CallView>
    </section>
  );
}
