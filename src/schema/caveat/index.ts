// Caveats: SpiceDB-compatible CEL conditions on relationships, compiled and evaluated.

export type { CaveatType, ScalarCaveatTypeName } from "./caveat-type.js";
export { formatCaveatType, resolveCaveatType } from "./caveat-type.js";
export type {
  CaveatCompileError,
  CaveatCompileResult,
  CaveatParameter,
} from "./compile-caveat.js";
export { compileCaveat } from "./compile-caveat.js";
export type { CaveatContext, CaveatEvaluation, CompiledCaveat } from "./compiled-caveat.js";
export type { CaveatContextProblem } from "./validate-caveat-context.js";
export { validateCaveatContext } from "./validate-caveat-context.js";
