// Loading a schema: parse, type-check and compile in one step, with every error positioned.

import type { SchemaAst } from "./ast.js";
import type { CompiledSchema } from "./compiled-schema.js";
import { compileSchema } from "./compiler.js";
import { compareDiagnostics, type Diagnostic } from "./diagnostic.js";
import { parseSchema } from "./parser.js";
import { checkSchema } from "./type-checker.js";

/** LoadResult is a compiled schema, or every error that prevents compiling it, in source order. */
export type LoadResult =
  | { readonly ok: true; readonly schema: CompiledSchema; readonly ast: SchemaAst }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[]; readonly ast: SchemaAst };

/**
 * loadSchema parses, type-checks and compiles schema text. Type errors are reported even when
 * there are syntax errors, for the parts that parsed.
 */
export function loadSchema(text: string): LoadResult {
  const parsed = parseSchema(text);
  const checked = checkSchema(parsed.ast);
  const diagnostics = [...parsed.diagnostics, ...checked.diagnostics].sort(compareDiagnostics);
  if (diagnostics.length > 0) return { ok: false, diagnostics, ast: parsed.ast };
  return { ok: true, schema: compileSchema(parsed.ast, checked.caveats), ast: parsed.ast };
}
