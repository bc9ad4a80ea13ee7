// Property: Expand agrees with Check. The userset tree of every permission, folded into a membership
// set (as `latch validate` does for expected relations), holds exactly the users Check allows.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createLocalDispatcher } from "../../src/dispatch/local-dispatcher.js";
import { createCheckEngine } from "../../src/engine/check-engine.js";
import { formatRelationship } from "../../src/tuple/format-relationship.js";
import { WILDCARD } from "../../src/tuple/relationship.js";
import { expectedMembership } from "../../src/validation/expansion-membership.js";
import { subjectsOf } from "../../src/validation/subject-set.js";
import { checkUniverse, scenario } from "../generators/index.js";
import { caseReader } from "./case-reader.js";

describe("Expand agrees with Check", () => {
  it("on the users of generated cases without caveats", async () => {
    await fc.assert(
      fc.asyncProperty(scenario(), async ({ schemaCase, relationships }) => {
        const { schema } = schemaCase;
        // Caveats are marked in a membership set, never evaluated: compare where there are none.
        fc.pre(relationships.every((r) => !r.caveat));
        const reader = await caseReader(relationships);
        const engine = createCheckEngine({ schema, dispatcher: createLocalDispatcher() });
        const questions = checkUniverse(schema, relationships).filter(
          (q) => q.subject.type === "user" && q.subject.relation === undefined,
        );
        const memberships = new Map<string, Awaited<ReturnType<typeof expectedMembership>>>();
        for (const question of questions) {
          const key = `${question.resource.type}:${question.resource.id}#${question.permission}`;
          let membership = memberships.get(key);
          if (!membership) {
            membership = await expectedMembership(
              schema,
              reader,
              question.resource,
              question.permission,
            );
            memberships.set(key, membership);
          }
          const users = membership.get("user#");
          const found = users ? subjectsOf(users) : [];
          const direct = found.some((f) => f.id === question.subject.id);
          const wildcard = found.find((f) => f.id === WILDCARD);
          const covered =
            direct ||
            (wildcard !== undefined &&
              !wildcard.excluded.some((e) => e.id === question.subject.id));
          const check = await engine.check(reader, question);
          const label = `${key}@user:${question.subject.id}\n${schemaCase.text}\n${relationships.map(formatRelationship).join("\n")}`;
          expect(covered, label).toBe(check.result === "allowed");
        }
      }),
      { numRuns: 300 },
    );
  }, 300_000);
});
