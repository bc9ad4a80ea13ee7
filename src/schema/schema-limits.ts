// Limits on schema text: they bound the work and the stack any schema can cost, whoever sends it.

import type { Diagnostic } from "./diagnostic.js";
import { positionAt } from "./source-span.js";

/** MAX_SCHEMA_BYTES bounds a schema's text in UTF-8 bytes: 4 MiB, SpiceDB's limit. */
export const MAX_SCHEMA_BYTES = 4 * 1024 * 1024;

/**
 * MAX_EXPRESSION_DEPTH bounds how deep a permission's expression nests: each parenthesis, and
 * each operator applied to the result of another operator (`a - b - c` nests two deep), is a
 * level. Every pass over an expression recurses, so this bounds their stacks.
 */
export const MAX_EXPRESSION_DEPTH = 100;

/**
 * MAX_DIAGNOSTICS bounds the errors reported for one schema: past it, checking stops, so that a
 * schema of many errors costs no more than one with a few.
 */
export const MAX_DIAGNOSTICS = 100;

/** schemaSizeDiagnostic is the error for text over {@link MAX_SCHEMA_BYTES}, or undefined. */
export function schemaSizeDiagnostic(text: string): Diagnostic | undefined {
  // A UTF-16 unit is at most 3 UTF-8 bytes, so most texts need no counting.
  if (text.length * 3 <= MAX_SCHEMA_BYTES) return undefined;
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes <= MAX_SCHEMA_BYTES) return undefined;
  const start = positionAt(text, offsetAtByte(text, MAX_SCHEMA_BYTES));
  return {
    code: "limit",
    message: `the schema is ${bytes.toLocaleString("en-US")} bytes, more than the limit of ${MAX_SCHEMA_BYTES.toLocaleString("en-US")} bytes (4 MiB); the limit falls here`,
    span: { start, end: start },
  };
}

/** EXPRESSION_DEPTH_MESSAGE is the error for an expression nested deeper than {@link MAX_EXPRESSION_DEPTH}. */
export const EXPRESSION_DEPTH_MESSAGE = `the expression nests more than ${MAX_EXPRESSION_DEPTH} levels deep (parentheses, and operators applied to other operators' results); split it into several permissions`;

/** MAX_PARTIAL_DEPTH bounds how deep partials spread partials: expanding them recurses. */
export const MAX_PARTIAL_DEPTH = 100;

/** PARTIAL_DEPTH_MESSAGE is the error for a spread nested deeper than {@link MAX_PARTIAL_DEPTH}. */
export const PARTIAL_DEPTH_MESSAGE = `partials spread partials more than ${MAX_PARTIAL_DEPTH} levels deep here; spread fewer levels`;

/**
 * MAX_SPLICED_MEMBERS bounds the members partials splice in, over all their spreads: without it
 * a partial spread twice by one spread twice by another, and so on, would double the schema at
 * each level. A schema of 4 MiB holds fewer members written out than this.
 */
export const MAX_SPLICED_MEMBERS = 1_000_000;

/** SPLICED_MEMBERS_MESSAGE is the error for the spread that passes {@link MAX_SPLICED_MEMBERS}. */
export const SPLICED_MEMBERS_MESSAGE = `spreading partials here makes the schema hold more than ${MAX_SPLICED_MEMBERS.toLocaleString("en-US")} members; spread fewer`;

/** TOO_MANY_DIAGNOSTICS_MESSAGE ends a report cut at {@link MAX_DIAGNOSTICS} errors. */
export const TOO_MANY_DIAGNOSTICS_MESSAGE = `too many errors: checking stopped after ${MAX_DIAGNOSTICS}; fix these and check again`;

/** offsetAtByte finds the UTF-16 offset of the character holding UTF-8 byte `byte`. */
function offsetAtByte(text: string, byte: number): number {
  let bytes = 0;
  for (let offset = 0; offset < text.length; offset++) {
    const code = text.charCodeAt(offset);
    // A surrogate pair is one 4-byte character: 2 bytes for each half.
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code >= 0xd800 && code < 0xe000 ? 2 : 3;
    if (bytes > byte) return offset;
  }
  return text.length;
}
