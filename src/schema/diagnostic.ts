// Diagnostics: positioned errors in the compiler convention FILE:LINE:COLUMN: message.

import type { Position, Span } from "./source-span.js";

/** DiagnosticCode names each kind of schema error, so that tests and tools need not match on text. */
export type DiagnosticCode =
  | "syntax"
  | "invalid-name"
  | "duplicate-name"
  | "unknown-definition"
  | "unknown-relation"
  | "unknown-caveat"
  | "arrow-left-not-relation"
  | "arrow-target-missing"
  | "nested-arrow"
  | "self-reference"
  | "arrow-wildcard"
  | "wildcard-subject-set"
  | "expiration-not-enabled"
  | "unknown-use-flag"
  /** A partial, or a spread of one, without `use partial`. */
  | "partial-not-enabled"
  | "unknown-partial"
  /** A partial that spreads itself, through others or directly. */
  | "partial-cycle"
  | "caveat-type"
  | "caveat-expression"
  /** A name with the prefix Latch keeps for its built-in definitions (`latch/`). */
  | "reserved-name"
  /** A limit on the schema's size or shape (see schema-limits.ts). */
  | "limit";

/** Diagnostic is one error found in a schema, with where it is and what would fix it. */
export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly message: string;
  readonly span: Span;
}

/**
 * DiagnosticList collects diagnostics up to a limit. The first one past it is dropped and sets
 * `overflowed`, which tells the producer to stop: a schema of many errors then costs no more to
 * check than one with a few.
 */
export class DiagnosticList {
  readonly items: Diagnostic[] = [];
  overflowed = false;

  constructor(private readonly limit: number) {}

  /** add keeps diagnostic if there is room, and returns false once the list has overflowed. */
  add(diagnostic: Diagnostic): boolean {
    if (this.items.length < this.limit) this.items.push(diagnostic);
    else this.overflowed = true;
    return !this.overflowed;
  }
}

/** formatDiagnostic prints a diagnostic as `FILE:LINE:COLUMN: message`. */
export function formatDiagnostic(file: string, diagnostic: Diagnostic): string {
  const { line, column } = diagnostic.span.start;
  return `${file}:${line}:${column}: ${diagnostic.message}`;
}

/** compareDiagnostics orders diagnostics by their position in the source. */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return comparePositions(a.span.start, b.span.start);
}

function comparePositions(a: Position, b: Position): number {
  return a.offset - b.offset;
}
