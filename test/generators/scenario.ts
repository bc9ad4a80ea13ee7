// fast-check generator of whole cases: a schema, relationships for it and a request context.

import fc from "fast-check";
import type { Relationship } from "../../src/tuple/relationship.js";
import { type PoolOptions, relationshipsFor } from "./relationships-for.js";
import { requestContextFor } from "./request-context-for.js";
import { type SchemaCase, schemaCase } from "./schema-case.js";

/** Scenario is one generated case, to be evaluated at `fixedNow`. */
export interface Scenario {
  readonly schemaCase: SchemaCase;
  readonly relationships: Relationship[];
  readonly context: Record<string, unknown>;
}

/** scenario generates a {@link schemaCase} with {@link relationshipsFor} it and a request context. */
export function scenario(options: PoolOptions = {}): fc.Arbitrary<Scenario> {
  return schemaCase.chain((generated) =>
    fc.record({
      schemaCase: fc.constant(generated),
      relationships: relationshipsFor(generated.schema, options),
      context: requestContextFor(generated.schema),
    }),
  );
}
