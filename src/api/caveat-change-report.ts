// The message of a schema write refused for changing the parameters of caveats that stored relationships carry.

import type { CaveatParameterChange } from "../schema/caveat-parameter-changes.js";
import { describeFound, type FoundRelationships } from "./found-relationships.js";

/**
 * CarriedCaveat is a caveat whose parameters a schema write removes or retypes, and the
 * relationships stored with it.
 */
export interface CarriedCaveat extends FoundRelationships {
  readonly changes: readonly CaveatParameterChange[];
}

/**
 * caveatChangeReport says why a schema write is refused: for each caveat, what it changes of its
 * parameters and the relationships that carry it; then what to do instead.
 */
export function caveatChangeReport(carried: readonly CarriedCaveat[]): string {
  const lines = [
    "a caveat's parameters cannot be removed or given another type while relationships carry the caveat, holding values of them as declared:",
  ];
  for (const found of carried) {
    const { changes, count, atLeast } = found;
    const caveat = changes[0]!.caveat;
    const changed = changes.map(({ parameter, from, to }) =>
      to === undefined
        ? `parameter '${parameter}' (${from}) is removed`
        : `parameter '${parameter}' changes type from ${from} to ${to}`,
    );
    const { counted, listed } = describeFound(found);
    const carry = count === 1 && !atLeast ? "carries" : "carry";
    lines.push(`- caveat '${caveat}': ${changed.join("; ")}; ${counted} ${carry} it${listed}`);
  }
  lines.push(
    "  define a caveat under a new name and write the relationships with it (or delete them), then change or remove the old one",
  );
  return lines.join("\n");
}
