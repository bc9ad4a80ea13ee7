// One embedded SpiceDB for a describe block's tests: started before them, stopped after them.

import { afterAll, beforeAll } from "vitest";
import { type SpiceDbOracle, startSpiceDbOracle } from "./spicedb-oracle.js";

/**
 * useSpiceDbOracle starts an empty SpiceDB before the enclosing block's tests and stops it after
 * them; the function it returns gives that SpiceDB to a test.
 */
export function useSpiceDbOracle(): () => SpiceDbOracle {
  let oracle: SpiceDbOracle | undefined;
  beforeAll(async () => {
    oracle = await startSpiceDbOracle("definition user {}", []);
  });
  afterAll(() => oracle?.close());
  return () => {
    if (oracle === undefined) throw new Error("the SpiceDB oracle is used outside its tests");
    return oracle;
  };
}
