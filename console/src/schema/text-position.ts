// Positions in a text as diagnostics give them (1-based line and column, in UTF-16 units) and as offsets.

/** offsetOf is the offset of line:column in text, clamped to the text (for a position past its end). */
export function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  for (let at = 1; at < line; at++) {
    const next = text.indexOf("\n", offset);
    if (next === -1) return text.length;
    offset = next + 1;
  }
  const end = text.indexOf("\n", offset);
  const lineEnd = end === -1 ? text.length : end;
  return Math.min(offset + Math.max(column - 1, 0), lineEnd);
}

/** lineOf is the text of line (1-based), without its line break; empty past the end. */
export function lineOf(text: string, line: number): string {
  return text.split("\n")[line - 1] ?? "";
}
