// Property: with the server's time as `now`, on generated cases evaluated on both sides of the hours'
// edges, Check, CheckBulk, LookupResources and LookupSubjects agree with the reference evaluator.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createLocalDispatcher } from "../../src/dispatch/local-dispatcher.js";
import { createCheckEngine } from "../../src/engine/check-engine.js";
import { createLookupEngine } from "../../src/engine/lookup-engine.js";
import { formatRelationship, formatSubjectRef } from "../../src/tuple/format-relationship.js";
import { checkUniverse, fixedNow, scenario } from "../generators/index.js";
import { evaluateAll, type RefResult } from "../reference/reference-evaluator.js";
import { caseReader } from "./case-reader.js";
import { collect } from "./lookup-test-helpers.js";

const HOUR = 3_600_000;
/**
 * Evaluation times on the day of fixedNow (12:00): the last millisecond before 09:00 and 17:00,
 * when office_hours still sees 08:59:59 and 16:59:59, and the first of each.
 */
const TIMES = [0, -3 * HOUR - 1, -3 * HOUR, 5 * HOUR - 1, 5 * HOUR].map(
  (offset) => new Date(fixedNow.getTime() + offset),
);

/**
 * Cases whose schema declares office_hours, asked with request contexts that never give `now`
 * (as over the API): the server's time decides wherever a relationship's context does not.
 */
const timedCase = scenario()
  .filter(({ schemaCase }) => schemaCase.schema.caveats.has("office_hours"))
  .map(({ context: { now: _, ...context }, ...rest }) => ({ ...rest, context }));

const summary = (result: RefResult | { result: string; missing: readonly string[] }) =>
  "kind" in result
    ? { kind: result.kind, missing: result.kind === "conditional" ? result.missing : [] }
    : { kind: result.result, missing: result.result === "conditional" ? [...result.missing] : [] };

describe("with the server's time", () => {
  it("Check, CheckBulk and the lookups agree with the reference evaluator", async () => {
    await fc.assert(
      fc.asyncProperty(
        timedCase,
        fc.constantFrom(...TIMES),
        async ({ schemaCase, relationships, context }, at) => {
          const { schema } = schemaCase;
          const reader = await caseReader(relationships, at);
          const checks = createCheckEngine({ schema, dispatcher: createLocalDispatcher() });
          const lookups = createLookupEngine({ schema, checkEngine: checks });
          const reference = evaluateAll(schema, relationships, { now: at, context });
          const label = `at ${at.toISOString()}\n${schemaCase.text}\n${relationships.map(formatRelationship).join("\n")}\ncontext ${JSON.stringify(context)}`;

          const questions = checkUniverse(schema, relationships).map((q) => ({ ...q, context }));
          const bulk = await checks.checkBulk(reader, questions);
          for (const [index, question] of questions.entries()) {
            const asked = `${question.resource.type}:${question.resource.id}#${question.permission}@${formatSubjectRef(question.subject)}`;
            const expected = summary(
              reference.check(question.resource, question.permission, question.subject),
            );
            const single = await checks.check(reader, question);
            expect(summary(single), `${asked} ${label}`).toEqual(expected);
            const item = bulk[index]!;
            expect(item.ok && summary(item.result), `bulk ${asked} ${label}`).toEqual(expected);
          }

          const subjects = questions.filter((q) => q.subject.relation === undefined);
          const asks = new Set(subjects.map((q) => `${q.resource.type}#${q.permission}`));
          for (const subject of new Set(subjects.map((q) => formatSubjectRef(q.subject)))) {
            const { subject: ref } = subjects.find((q) => formatSubjectRef(q.subject) === subject)!;
            for (const ask of asks) {
              const [resourceType, permission] = ask.split("#") as [string, string];
              const found = await collect(
                lookups.lookupResources(reader, {
                  resourceType,
                  permission,
                  subject: ref,
                  context,
                }),
              );
              expect(
                found.map((item) => ({ id: item.id, ...summary(item) })),
                `lookupResources ${ask} for ${subject} ${label}`,
              ).toEqual(
                reference
                  .lookupResources(resourceType, permission, ref)
                  .map((entry) => ({ id: entry.id, ...summary(entry.result) })),
              );
            }
          }

          const asked = new Map(
            questions.map((q) => [`${q.resource.type}:${q.resource.id}#${q.permission}`, q]),
          );
          for (const { resource, permission } of asked.values()) {
            for (const subjectType of schema.definitions.keys()) {
              const found = await lookups.lookupSubjects(reader, {
                resource,
                permission,
                subjectType,
                context,
              });
              const wildcard = found.find((item) => item.id === "*");
              for (const question of subjects.filter((q) => q.subject.type === subjectType)) {
                const { id } = question.subject;
                const own = found.find((item) => item.id === id);
                const answer =
                  own ?? (wildcard && !wildcard.excludedIds.includes(id) ? wildcard : undefined);
                expect(
                  answer ? summary(answer) : { kind: "denied", missing: [] },
                  `lookupSubjects ${resource.type}:${resource.id}#${permission} for ${subjectType}:${id} ${label}`,
                ).toEqual(summary(reference.check(resource, permission, question.subject)));
              }
            }
          }
        },
      ),
      { numRuns: 30 },
    );
  }, 300_000);
});
