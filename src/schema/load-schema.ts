// Loading a schema: parse, type-check and compile in one step, with every error positioned.

import type { WrittenSchemaAst } from "./ast.js";
import type { CompiledSchema } from "./compiled-schema.js";
import { compileSchema } from "./compiler.js";
import { compareDiagnostics, type Diagnostic } from "./diagnostic.js";
import { expandPartials } from "./expand-partials.js";
import { parseSchema } from "./parser.js";
import { MAX_DIAGNOSTICS, TOO_MANY_DIAGNOSTICS_MESSAGE } from "./schema-limits.js";
import { checkSchema } from "./type-checker.js";

/** LoadResult is a compiled schema, or every error that prevents compiling it, in source order. */
export type LoadResult =
  | { readonly ok: true; readonly schema: CompiledSchema; readonly ast: WrittenSchemaAst }
  | {
      readonly ok: false;
      readonly diagnostics: readonly Diagnostic[];
      readonly ast: WrittenSchemaAst;
    };

/**
 * loadSchema parses, type-checks and compiles schema text. Type errors are reported even when
 * there are syntax errors, for the parts that parsed. Past {@link MAX_DIAGNOSTICS} errors it
 * stops, and says so in a last diagnostic placed at the last error reported.
 */
export function loadSchema(text: string): LoadResult {
  const parsed = parseSchema(text);
  const { ast } = parsed;
  if (parsed.truncated) return { ok: false, diagnostics: stopped(parsed.diagnostics), ast };
  const expanded = expandPartials(ast);
  const found = [...parsed.diagnostics, ...expanded.diagnostics];
  if (found.length >= MAX_DIAGNOSTICS) {
    return { ok: false, diagnostics: stopped(found.slice(0, MAX_DIAGNOSTICS)), ast };
  }
  const checked = checkSchema(expanded.ast, MAX_DIAGNOSTICS - found.length);
  // A partial spread into several definitions is checked in each: its errors are told once.
  const all = distinct([...found, ...checked.diagnostics]);
  const diagnostics = checked.truncated ? stopped(all) : all.sort(compareDiagnostics);
  if (diagnostics.length > 0) return { ok: false, diagnostics, ast };
  return { ok: true, schema: compileSchema(expanded.ast, checked.caveats), ast };
}

/** distinct drops the diagnostics that repeat one before them: the same message at the same place. */
function distinct(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter(({ message, span }) => {
    const key = `${span.start.offset}:${span.end.offset}:${message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** stopped sorts the diagnostics of a check that stopped at its limit, and says so after them. */
function stopped(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const sorted = [...diagnostics].sort(compareDiagnostics);
  const last = sorted.at(-1)!;
  sorted.push({ code: "limit", message: TOO_MANY_DIAGNOSTICS_MESSAGE, span: last.span });
  return sorted;
}
