// A compiled schema as plain data, for tests that compare two schemas as the engine sees them.

import type { CompiledSchema } from "../../src/schema/compiled-schema.js";

const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);

/** schemaShape is compiled's definitions as data, sorted by name, each with its members sorted by name. */
export function schemaShape(compiled: CompiledSchema) {
  return [...compiled.definitions.values()]
    .map((definition) => ({
      name: definition.name,
      doc: definition.doc,
      members: [...definition.members.values()].sort(byName),
    }))
    .sort(byName);
}
