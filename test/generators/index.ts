// Generators for the engine's property tests: schemas, relationships, contexts and the checks to run.

export { CAVEAT_MENU, caveatContext, caveatValue, type MenuCaveat } from "./caveat-menu.js";
export {
  anchor,
  CEL_PARAMETER_TYPES,
  type CelCaveat,
  type CelCaveatCase,
  type CelCaveatCaseOptions,
  type CelParameter,
  type CelParameterType,
  caveatDeclaration,
  celCaveat,
  celCaveatCase,
} from "./cel-expression.js";
export {
  ACT_FOR,
  AGENT,
  type ChainScenario,
  chainMembers,
  chainScenario,
  SUSPENSION,
  suspensionDefinition,
} from "./chain-scenario.js";
export { allChains, type ChainQuery, chainUniverse } from "./chain-universe.js";
export { type CheckQuery, checkUniverse } from "./check-universe.js";
export {
  fixedNow,
  objectPool,
  type PoolOptions,
  relationshipsFor,
} from "./relationships-for.js";
export { requestContextFor } from "./request-context-for.js";
export { type Scenario, scenario } from "./scenario.js";
export {
  type SchemaCase,
  type SchemaCaseOptions,
  schemaCase,
  schemaCaseWith,
} from "./schema-case.js";
