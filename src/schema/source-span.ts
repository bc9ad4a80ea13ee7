// Source positions: every AST node and diagnostic points back at the text it came from.

/** Position is a place in a source text: 1-based line and column, 0-based offset. */
export interface Position {
  readonly line: number;
  readonly column: number;
  readonly offset: number;
}

/** Span is the half-open range [start, end) of source text a node or diagnostic covers. */
export interface Span {
  readonly start: Position;
  readonly end: Position;
}

/** positionAt computes the line and column of an offset in text (columns count UTF-16 units). */
export function positionAt(text: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1, offset };
}
