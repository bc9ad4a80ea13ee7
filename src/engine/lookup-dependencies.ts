// What the lookups run on: the schema they walk and the check engine that confirms their candidates.

import type { CompiledSchema } from "../schema/compiled-schema.js";
import type { CheckEngine } from "./check-engine.js";

/**
 * LookupDependencies are the schema a lookup walks for candidates and the check engine that
 * confirms each candidate, so that lookups answer exactly as Check does.
 */
export interface LookupDependencies {
  readonly schema: CompiledSchema;
  readonly checkEngine: CheckEngine;
}
