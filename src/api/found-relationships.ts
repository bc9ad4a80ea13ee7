// Relationships a schema write's store check found: a few of them and how many, as its messages tell them.

import { formatRelationship } from "../tuple/format-relationship.js";
import type { Relationship } from "../tuple/relationship.js";

/** FoundRelationships are a few relationships a probe found, and how many (`atLeast` when counting stopped). */
export interface FoundRelationships {
  readonly examples: readonly Relationship[];
  readonly count: number;
  readonly atLeast: boolean;
}

/**
 * describeFound tells found as a message does: `counted` (`at least 1000 relationships`) and
 * `listed`, the examples after it (`: a, b` when they are all, else `, e.g. a, b`).
 */
export function describeFound({ examples, count, atLeast }: FoundRelationships): {
  counted: string;
  listed: string;
} {
  const texts = examples.map(formatRelationship).sort().join(", ");
  return {
    counted: `${atLeast ? "at least " : ""}${count} relationship${count === 1 ? "" : "s"}`,
    listed: count === examples.length ? `: ${texts}` : `, e.g. ${texts}`,
  };
}
