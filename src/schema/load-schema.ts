// Loading a schema: parse, type-check and compile in one step, with every error positioned.

import type { SchemaAst } from "./ast.js";
import type { CompiledSchema } from "./compiled-schema.js";
import { compileSchema } from "./compiler.js";
import { compareDiagnostics, type Diagnostic } from "./diagnostic.js";
import { parseSchema } from "./parser.js";
import { MAX_DIAGNOSTICS, TOO_MANY_DIAGNOSTICS_MESSAGE } from "./schema-limits.js";
import { checkSchema } from "./type-checker.js";

/** LoadResult is a compiled schema, or every error that prevents compiling it, in source order. */
export type LoadResult =
  | { readonly ok: true; readonly schema: CompiledSchema; readonly ast: SchemaAst }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[]; readonly ast: SchemaAst };

/**
 * loadSchema parses, type-checks and compiles schema text. Type errors are reported even when
 * there are syntax errors, for the parts that parsed. Past {@link MAX_DIAGNOSTICS} errors it
 * stops, and says so in a last diagnostic placed at the last error reported.
 */
export function loadSchema(text: string): LoadResult {
  const parsed = parseSchema(text);
  const { ast } = parsed;
  if (parsed.truncated) return { ok: false, diagnostics: stopped(parsed.diagnostics), ast };
  const checked = checkSchema(ast, MAX_DIAGNOSTICS - parsed.diagnostics.length);
  const all = [...parsed.diagnostics, ...checked.diagnostics];
  const diagnostics = checked.truncated ? stopped(all) : all.sort(compareDiagnostics);
  if (diagnostics.length > 0) return { ok: false, diagnostics, ast };
  return { ok: true, schema: compileSchema(ast, checked.caveats), ast };
}

/** stopped sorts the diagnostics of a check that stopped at its limit, and says so after them. */
function stopped(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const sorted = [...diagnostics].sort(compareDiagnostics);
  const last = sorted.at(-1)!;
  sorted.push({ code: "limit", message: TOO_MANY_DIAGNOSTICS_MESSAGE, span: last.span });
  return sorted;
}
