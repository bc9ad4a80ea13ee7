// Property: on generated schemas, relationships, contexts and expiries, Check and CheckBulk (also
// with reads merged per level) agree with the naive reference evaluator on every question of the
// universe, and on every denial's reason (a caveat that evaluated false, or nothing granting).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createLocalDispatcher } from "../../src/dispatch/local-dispatcher.js";
import { createCheckEngine } from "../../src/engine/check-engine.js";
import { formatRelationship, formatSubjectRef } from "../../src/tuple/format-relationship.js";
import { checkUniverse, fixedNow, scenario } from "../generators/index.js";
import { evaluateAll } from "../reference/reference-evaluator.js";
import { caseReader } from "./case-reader.js";
import { roundTripReader } from "./round-trip-reader.js";

describe("Check agrees with the reference evaluator", () => {
  it("on every question of generated cases", async () => {
    let deniedByCondition = 0;
    await fc.assert(
      fc.asyncProperty(scenario(), async ({ schemaCase, relationships, context }) => {
        const { schema } = schemaCase;
        const reader = await caseReader(relationships);
        const engine = createCheckEngine({ schema, dispatcher: createLocalDispatcher() });
        const reference = evaluateAll(schema, relationships, { now: fixedNow, context });
        const questions = checkUniverse(schema, relationships);
        const bulk = await engine.checkBulk(
          reader,
          questions.map((q) => ({ ...q, context })),
        );
        // Through a reader with round trips, every walk's reads merge level by level.
        const merged = await engine.checkBulk(
          roundTripReader(reader),
          questions.map((q) => ({ ...q, context })),
        );
        for (const [index, question] of questions.entries()) {
          const expected = reference.check(
            question.resource,
            question.permission,
            question.subject,
          );
          const single = await engine.check(reader, { ...question, context });
          const label = `${question.resource.type}:${question.resource.id}#${question.permission}@${formatSubjectRef(question.subject)}\n${schemaCase.text}\n${relationships.map(formatRelationship).join("\n")}\ncontext ${JSON.stringify(context)}`;
          expect(
            { kind: single.result, missing: single.result === "conditional" ? single.missing : [] },
            label,
          ).toEqual({
            kind: expected.kind,
            missing: expected.kind === "conditional" ? expected.missing : [],
          });
          // A denial names its reason: a caveat that evaluated false decided it, or nothing granted.
          const reason =
            expected.kind !== "denied"
              ? undefined
              : reference.deniedByCondition(
                    question.resource,
                    question.permission,
                    question.subject,
                  )
                ? "condition-false"
                : "no-permission";
          expect(single.reason, label).toBe(reason);
          if (reason === "condition-false") deniedByCondition++;
          const item = bulk[index]!;
          expect(item.ok && item.result.result, label).toBe(expected.kind);
          expect(item.ok && item.result.reason, label).toBe(reason);
          const mergedItem = merged[index]!;
          expect(mergedItem.ok && mergedItem.result.result, label).toBe(expected.kind);
        }
      }),
      { numRuns: 150 },
    );
    expect(deniedByCondition).toBeGreaterThan(0);
  }, 300_000);
});
