// fast-check generator of request caveat contexts for a schema's caveats.

import type fc from "fast-check";
import type { CaveatType } from "../../src/schema/caveat/caveat-type.js";
import type { CompiledSchema } from "../../src/schema/compiled-schema.js";
import { caveatContext } from "./caveat-menu.js";

/**
 * requestContextFor generates the context a Check request carries: empty, or some or all of the
 * parameters of the schema's caveats, each well typed. A name two caveats share takes the type
 * the first declares.
 */
export function requestContextFor(schema: CompiledSchema): fc.Arbitrary<Record<string, unknown>> {
  const parameters = new Map<string, CaveatType>();
  for (const caveat of schema.caveats.values()) {
    for (const [name, type] of caveat.parameters) {
      if (!parameters.has(name)) parameters.set(name, type);
    }
  }
  return caveatContext(parameters);
}
