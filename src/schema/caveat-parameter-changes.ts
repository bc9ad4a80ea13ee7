// What a new schema does to the parameters of caveats it keeps: what a schema write refuses over relationships that carry them.

import { formatCaveatType } from "./caveat/caveat-type.js";
import type { CompiledSchema } from "./compiled-schema.js";

/**
 * CaveatParameterChange is a parameter of a caveat both schemas define that the next one removes
 * (`to` undefined) or declares with another type. The contexts of relationships stored with the
 * caveat hold values of the parameter as it was declared: removing or retyping it would leave
 * them read as something they were not written as, which is why a schema write refuses either
 * while such relationships exist. Adding a parameter changes nothing written before.
 */
export interface CaveatParameterChange {
  readonly caveat: string;
  readonly parameter: string;
  /** The parameter's type in the previous schema, as written (`list<string>`). */
  readonly from: string;
  /** Its type in the next schema, or undefined when the next schema removes it. */
  readonly to: string | undefined;
}

/**
 * caveatParameterChanges lists the parameters that next removes or retypes from the caveats that
 * both it and previous define, in previous's order of caveats and parameters. A caveat that next
 * removes is not listed: it can be removed whole once no relation allows it (and a relation
 * allowing it with relationships stored is a removal the store check refuses).
 */
export function caveatParameterChanges(
  previous: CompiledSchema,
  next: CompiledSchema,
): CaveatParameterChange[] {
  const changes: CaveatParameterChange[] = [];
  for (const [name, caveat] of previous.caveats) {
    const kept = next.caveats.get(name);
    if (kept === undefined) continue;
    for (const [parameter, type] of caveat.parameters) {
      const from = formatCaveatType(type);
      const nextType = kept.parameters.get(parameter);
      const to = nextType === undefined ? undefined : formatCaveatType(nextType);
      if (to !== from) changes.push({ caveat: name, parameter, from, to });
    }
  }
  return changes;
}
