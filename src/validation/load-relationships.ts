// Parses the relationships block, one relationship a line, and checks each against the schema.

import type { CompiledSchema } from "../schema/compiled-schema.js";
import { checkRelationshipAgainstSchema } from "../schema/relationship-fit.js";
import { parseRelationship } from "../tuple/parse-relationship.js";
import type { Relationship } from "../tuple/relationship.js";
import { relationshipKey } from "../tuple/relationship-key.js";
import type { TextBlock } from "./validation-document.js";
import { type Problem, problemAt } from "./validation-problem.js";

/** LoadedRelationships are the relationships of a block, or the problems of the lines that failed. */
export interface LoadedRelationships {
  readonly relationships: readonly Relationship[];
  readonly problems: readonly Problem[];
}

/**
 * loadRelationships reads a relationships block as zed does: one relationship a line in SpiceDB's
 * text syntax (with `[caveat]`, `[caveat:{json}]` and `[expiration:RFC 3339]` suffixes); blank
 * lines and lines starting with `//` are skipped. A line that does not parse, that the schema
 * rejects, or that repeats an earlier relationship (caveat and expiration aside) is a problem at
 * its line and the column of the offending character.
 */
export function loadRelationships(
  block: TextBlock | undefined,
  schema: CompiledSchema,
): LoadedRelationships {
  const relationships: Relationship[] = [];
  const problems: Problem[] = [];
  if (block === undefined) return { relationships, problems };
  const seen = new Map<string, number>();
  block.text.split("\n").forEach((raw, index) => {
    const line = index + 1;
    const text = raw.trim();
    if (text === "" || text.startsWith("//")) return;
    const indent = raw.length - raw.trimStart().length;
    const fail = (offset: number, message: string) =>
      problems.push(problemAt(block.place(line, indent + offset + 1), message));
    const parsed = parseRelationship(text);
    if (!parsed.ok) {
      fail(parsed.error.offset, `invalid relationship: ${parsed.error.message}`);
      return;
    }
    const violation = checkRelationshipAgainstSchema(schema, parsed.value, text);
    if (violation !== undefined) {
      fail(violation.offset, `relationship ${text} is not valid: ${violation.message}`);
      return;
    }
    const key = relationshipKey(parsed.value);
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      fail(0, `relationship ${text} repeats the one on line ${block.place(earlier, 1).line}`);
      return;
    }
    seen.set(key, line);
    relationships.push(parsed.value);
  });
  return { relationships, problems };
}
