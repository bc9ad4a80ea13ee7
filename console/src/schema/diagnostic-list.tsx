// A schema's errors, each at its line:column with the line and a caret, and a button to go there.

import type { SchemaDiagnostic } from "../../../src/gen/latch/v1/schema_service_pb.js";
import { lineOf } from "./text-position.js";

/** DiagnosticListProps are the errors, the text they are about, and how to go to one. */
export interface DiagnosticListProps {
  readonly diagnostics: readonly SchemaDiagnostic[];
  /** Whether the errors stopped a save. */
  readonly refusedSave: boolean;
  readonly text: string;
  readonly onGoTo: (diagnostic: SchemaDiagnostic) => void;
}

/** DiagnosticList lists diagnostics in source order; it is an alert, so a screen reader says it. */
export function DiagnosticList({ diagnostics, refusedSave, text, onGoTo }: DiagnosticListProps) {
  return (
    <div class="error diagnostics" role="alert">
      <p>
        {diagnostics.length === 1 ? "1 error" : `${diagnostics.length} errors`}
        {refusedSave ? ": nothing was saved." : "."}
      </p>
      <ol>
        {diagnostics.map((d) => (
          <li key={`${d.line}:${d.column}:${d.code}`}>
            <button type="button" class="link" onClick={() => onGoTo(d)}>
              line {d.line}, column {d.column}
            </button>
            : {d.message} <span class="hint">({d.code})</span>
            <pre>
              {lineOf(text, d.line)}
              {"\n"}
              {`${" ".repeat(Math.max(d.column - 1, 0))}^`}
            </pre>
          </li>
        ))}
      </ol>
    </div>
  );
}
