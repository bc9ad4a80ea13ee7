// Generators for the engine's property tests: schemas, relationships, contexts and the checks to run.

export { CAVEAT_MENU, caveatContext, caveatValue, type MenuCaveat } from "./caveat-menu.js";
export { type CheckQuery, checkUniverse } from "./check-universe.js";
export {
  fixedNow,
  objectPool,
  type PoolOptions,
  relationshipsFor,
} from "./relationships-for.js";
export { requestContextFor } from "./request-context-for.js";
export { type Scenario, scenario } from "./scenario.js";
export { type SchemaCase, schemaCase } from "./schema-case.js";
