// Write-time validation of the context stored on a relationship, against its caveat's parameters.

import { suggestName } from "../suggest.js";
import { convertCaveatValue } from "./caveat-value.js";
import type { CaveatContext, CompiledCaveat } from "./compiled-caveat.js";

/** CaveatContextProblem is one invalid entry of a context: a wrong type or an unknown parameter. */
export interface CaveatContextProblem {
  readonly parameter: string;
  readonly message: string;
}

/**
 * validateCaveatContext checks every entry of a context: it must name a parameter of the caveat
 * and hold a value of that parameter's type. Entries may be absent; they are then unknown.
 */
export function validateCaveatContext(
  caveat: CompiledCaveat,
  context: CaveatContext,
): CaveatContextProblem[] {
  const problems: CaveatContextProblem[] = [];
  for (const [parameter, value] of Object.entries(context)) {
    if (value === undefined) {
      continue;
    }
    const type = caveat.parameters.get(parameter);
    if (type === undefined) {
      problems.push({ parameter, message: unknownParameter(caveat, parameter) });
      continue;
    }
    const converted = convertCaveatValue(type, value, `parameter '${parameter}'`);
    if (!converted.ok) {
      problems.push({ parameter, message: converted.message });
    }
  }
  return problems;
}

function unknownParameter(caveat: CompiledCaveat, parameter: string): string {
  const names = [...caveat.parameters.keys()];
  const suggestion = suggestName(parameter, names);
  const hint = suggestion === undefined ? "" : ` (did you mean '${suggestion}'?)`;
  const declared = names.length === 0 ? "it has none" : `its parameters are ${names.join(", ")}`;
  return `caveat '${caveat.name}' has no parameter '${parameter}'${hint}; ${declared}`;
}
