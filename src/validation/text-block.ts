// Maps positions inside a YAML string back to the file: exactly for block scalars, closely for others.

import { type LineCounter, Scalar } from "yaml";
import type { TextBlock } from "./validation-document.js";
import type { Place } from "./validation-problem.js";

/**
 * textBlockOf wraps a string scalar. In a block scalar (`|`, `|-`) each line of the text is a line
 * of the file, starting on the line after the `|` and shifted by the block's indentation. In a
 * plain or quoted scalar the first line maps exactly (past the opening quote) and later lines keep
 * their own columns, which is close enough for the one-line strings those usually are.
 */
export function textBlockOf(
  scalar: Scalar,
  text: string,
  source: string,
  lines: LineCounter,
): TextBlock {
  const offset = scalar.range?.[0] ?? 0;
  const start = toPlace(lines, offset);
  if (scalar.type === Scalar.BLOCK_LITERAL || scalar.type === Scalar.BLOCK_FOLDED) {
    const firstLine = start.line + 1;
    const indent = blockIndent(source, lines, firstLine);
    return {
      text,
      start,
      place: (line, column) => ({ line: firstLine + line - 1, column: indent + column }),
    };
  }
  const quote = scalar.type === Scalar.QUOTE_DOUBLE || scalar.type === Scalar.QUOTE_SINGLE ? 1 : 0;
  return {
    text,
    start,
    place: (line, column) =>
      line === 1
        ? { line: start.line, column: start.column + quote + column - 1 }
        : { line: start.line + line - 1, column },
  };
}

/** toPlace converts a 0-based offset of the file to a line and column. */
export function toPlace(lines: LineCounter, offset: number): Place {
  const { line, col } = lines.linePos(offset);
  return { line, column: col };
}

/** blockIndent is the indentation of a block scalar's content: that of its first non-blank line. */
function blockIndent(source: string, lines: LineCounter, firstLine: number): number {
  for (let index = firstLine - 1; index < lines.lineStarts.length; index++) {
    const lineStart = lines.lineStarts[index]!;
    const lineEnd = lines.lineStarts[index + 1] ?? source.length;
    const line = source.slice(lineStart, lineEnd).replace(/\r?\n$/, "");
    if (line.trim() !== "") return line.length - line.trimStart().length;
  }
  return 0;
}
