// Relationship strings given to the CLI: as arguments, on standard input, or in a file, one a line.

import { parseRelationship } from "../tuple/parse-relationship.js";
import type { Relationship } from "../tuple/relationship.js";
import type { CliIo } from "./cli-io.js";
import { STDIN } from "./read-input.js";
import { parsed, UsageError } from "./usage-error.js";

/** Place maps a line and column of a text to where they are in the file it came from. */
export type Place = (line: number, column: number) => { line: number; column: number };

/**
 * readRelationshipArguments parses relationship arguments, each `-` standing for the
 * relationships on standard input, one a line. Throws a {@link UsageError} naming every one that
 * does not parse, or when there are none.
 */
export async function readRelationshipArguments(
  io: CliIo,
  args: readonly string[],
): Promise<Relationship[]> {
  const relationships: Relationship[] = [];
  for (const arg of args) {
    if (arg === STDIN) {
      relationships.push(...parseRelationshipLines(await io.readStdin(), "stdin"));
    } else {
      relationships.push(parsed("relationship", arg, parseRelationship(arg)));
    }
  }
  if (relationships.length === 0) throw new UsageError("no relationships given");
  return relationships;
}

/**
 * parseRelationshipLines parses one relationship a line, as zed reads relationship files: blank
 * lines and lines starting with `//` are skipped. Throws a {@link UsageError} listing every line
 * that does not parse as `SOURCE:LINE:COLUMN: message`, positions mapped through place.
 */
export function parseRelationshipLines(
  text: string,
  source: string,
  place: Place = (line, column) => ({ line, column }),
): Relationship[] {
  const relationships: Relationship[] = [];
  const problems: string[] = [];
  text.split("\n").forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("//")) return;
    const result = parseRelationship(trimmed);
    if (result.ok) {
      relationships.push(result.value);
      return;
    }
    const indent = raw.length - raw.trimStart().length;
    const at = place(index + 1, indent + result.error.column);
    problems.push(
      `${source}:${at.line}:${at.column}: invalid relationship: ${result.error.message}`,
    );
  });
  if (problems.length > 0) throw new UsageError(problems.join("\n"));
  return relationships;
}
