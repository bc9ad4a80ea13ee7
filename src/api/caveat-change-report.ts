// The message of a schema write refused for changing the parameters of caveats that stored relationships carry.

import type { CaveatParameterChange } from "../schema/caveat-parameter-changes.js";
import { formatRelationship } from "../tuple/format-relationship.js";
import type { Relationship } from "../tuple/relationship.js";

/**
 * CarriedCaveat is a caveat whose parameters a schema write removes or retypes, and the
 * relationships stored with it: a few of them, and how many (`atLeast` when counting stopped).
 */
export interface CarriedCaveat {
  readonly changes: readonly CaveatParameterChange[];
  readonly examples: readonly Relationship[];
  readonly count: number;
  readonly atLeast: boolean;
}

/**
 * caveatChangeReport says why a schema write is refused: for each caveat, what it changes of its
 * parameters and the relationships that carry it; then what to do instead.
 */
export function caveatChangeReport(carried: readonly CarriedCaveat[]): string {
  const lines = [
    "a caveat's parameters cannot be removed or given another type while relationships carry the caveat, holding values of them as declared:",
  ];
  for (const { changes, examples, count, atLeast } of carried) {
    const caveat = changes[0]!.caveat;
    const changed = changes.map(({ parameter, from, to }) =>
      to === undefined
        ? `parameter '${parameter}' (${from}) is removed`
        : `parameter '${parameter}' changes type from ${from} to ${to}`,
    );
    const counted = `${atLeast ? "at least " : ""}${count} relationship${count === 1 ? "" : "s"}`;
    const texts = examples.map(formatRelationship).sort().join(", ");
    const listed = count === examples.length ? `: ${texts}` : `, e.g. ${texts}`;
    const carry = count === 1 && !atLeast ? "carries" : "carry";
    lines.push(`- caveat '${caveat}': ${changed.join("; ")}; ${counted} ${carry} it${listed}`);
  }
  lines.push(
    "  define a caveat under a new name and write the relationships with it (or delete them), then change or remove the old one",
  );
  return lines.join("\n");
}
