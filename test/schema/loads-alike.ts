// Whether a schema loads, asked of Latch and of SpiceDB, for the schema language's differential tests.

import { expect } from "vitest";
import { loadSchema } from "../../src/schema/load-schema.js";
import type { SpiceDbOracle } from "../oracle/spicedb-oracle.js";

/**
 * loadsAlike loads schema into Latch (a check only) and into oracle, failing the test when one
 * takes what the other refuses (the message gives both sides' words); it says whether it loaded.
 */
export async function loadsAlike(oracle: SpiceDbOracle, schema: string): Promise<boolean> {
  const latch = loadSchema(`${schema}\n`);
  const refused = await oracle.load(schema, []).then(
    () => undefined,
    (error: Error) => error.message,
  );
  const latchSaid = latch.ok ? "accepted" : latch.diagnostics.map((d) => d.message).join("; ");
  expect(latch.ok, `${schema}\nLatch: ${latchSaid}\nSpiceDB: ${refused ?? "accepted"}`).toBe(
    refused === undefined,
  );
  return latch.ok;
}
