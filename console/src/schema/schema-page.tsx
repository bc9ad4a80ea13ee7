// The Schema page: the schema as written, edited in place, checked with its errors at line:column, then saved.

import { Code, ConnectError } from "@connectrpc/connect";
import { useEffect, useRef, useState } from "preact/hooks";
import {
  type SchemaDiagnostic,
  SchemaService,
} from "../../../src/gen/latch/v1/schema_service_pb.js";
import { useAllows } from "../api/access-context.js";
import { UNARY_TIMEOUT_MS } from "../api/clients.js";
import { useClients } from "../api/clients-context.js";
import { useAction, useCall } from "../api/use-call.js";
import { CallView } from "../ui/call-view.js";
import { ErrorNote } from "../ui/error-note.js";
import { ScopeNote } from "../ui/scope-note.js";
import { DiagnosticList } from "./diagnostic-list.js";
import { offsetOf } from "./text-position.js";

/** SchemaPage reads the schema (none yet: an empty editor) and edits it. */
export function SchemaPage() {
  const clients = useClients();
  const [state, retry] = useCall(async (signal) => {
    try {
      return await clients.schema.readSchema({}, { signal, timeoutMs: UNARY_TIMEOUT_MS });
    } catch (error) {
      if (ConnectError.from(error).code === Code.NotFound) return { schema: "", readAt: "" };
      throw error;
    }
  }, []);
  return (
    <section>
      <h1>Schema</h1>
      <CallView state={state} what="the schema" onRetry={retry}>
        {(read) => <SchemaEditor written={read.schema} readAt={read.readAt} />}
      </CallView>
    </section>
  );
}

/** What the last check or save said. */
type Outcome =
  | {
      readonly kind: "errors";
      readonly diagnostics: readonly SchemaDiagnostic[];
      /** Whether the errors stopped a save (rather than answering a check). */
      readonly refusedSave: boolean;
    }
  | { readonly kind: "valid" }
  | { readonly kind: "saved"; readonly token: string };

function SchemaEditor({ written, readAt }: { readonly written: string; readonly readAt: string }) {
  const clients = useClients();
  const [text, setText] = useState(written);
  const [checked, setChecked] = useState<{ text: string; outcome: Outcome }>();
  const [action, run] = useAction();
  const editor = useRef<HTMLTextAreaElement>(null);
  const maySave = useAllows()(SchemaService.method.writeSchema);
  useEffect(() => setText(written), [written]);

  const validate = async (signal: AbortSignal) => {
    const response = await clients.schema.validateSchema(
      { schema: text },
      { signal, timeoutMs: UNARY_TIMEOUT_MS },
    );
    return response.diagnostics;
  };
  const check = () =>
    run(async (signal) => {
      const diagnostics = await validate(signal);
      setChecked({
        text,
        outcome:
          diagnostics.length === 0
            ? { kind: "valid" }
            : { kind: "errors", diagnostics, refusedSave: false },
      });
    });
  const save = (event: Event) => {
    event.preventDefault();
    run(async (signal) => {
      const diagnostics = await validate(signal);
      if (diagnostics.length > 0) {
        setChecked({ text, outcome: { kind: "errors", diagnostics, refusedSave: true } });
        return;
      }
      const response = await clients.schema.writeSchema(
        { schema: text },
        { signal, timeoutMs: UNARY_TIMEOUT_MS },
      );
      setChecked({ text, outcome: { kind: "saved", token: response.writtenAt } });
    });
  };
  const goTo = (d: SchemaDiagnostic) => {
    const field = editor.current;
    if (field === null) return;
    const start = offsetOf(text, d.line, d.column);
    const end = d.endLine === 0 ? start + 1 : offsetOf(text, d.endLine, d.endColumn);
    field.focus();
    field.setSelectionRange(start, Math.max(end, start + 1));
  };
  const outcome = checked?.text === text ? checked.outcome : undefined;
  return (
    <form onSubmit={save} aria-label="Edit the schema">
      <p class="hint">
        {readAt === "" ? "No schema is written yet." : `As read at token ${readAt}.`}
      </p>
      <label>
        Schema
        <textarea
          ref={editor}
          class="schema-text"
          spellcheck={false}
          value={text}
          onInput={(event) => setText(event.currentTarget.value)}
        />
      </label>
      <p>
        <button type="button" onClick={check} disabled={action.running}>
          Check
        </button>{" "}
        {maySave ? (
          <button type="submit" disabled={action.running || text === written}>
            {action.running ? "Working…" : "Save"}
          </button>
        ) : null}
      </p>
      <ScopeNote method={SchemaService.method.writeSchema} action="Saving the schema" />
      {action.error === undefined ? null : <ErrorNote message={action.error} />}
      {outcome?.kind === "errors" ? (
        <DiagnosticList
          diagnostics={outcome.diagnostics}
          refusedSave={outcome.refusedSave}
          text={text}
          onGoTo={goTo}
        />
      ) : null}
      {outcome?.kind === "valid" ? <p role="status">The schema is valid.</p> : null}
      {outcome?.kind === "saved" ? <p role="status">Saved at token {outcome.token}.</p> : null}
    </form>
  );
}
