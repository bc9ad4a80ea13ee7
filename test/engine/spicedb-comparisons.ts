// Check and the lookups compared with SpiceDB on one generated case: the bodies of the engine's
// differential tests, whatever generates their cases.

import { expect } from "vitest";
import { createLocalDispatcher } from "../../src/dispatch/local-dispatcher.js";
import { createCheckEngine } from "../../src/engine/check-engine.js";
import { createLookupEngine } from "../../src/engine/lookup-engine.js";
import type { CompiledSchema } from "../../src/schema/compiled-schema.js";
import { formatRelationship, formatSubjectRef } from "../../src/tuple/format-relationship.js";
import type { Relationship } from "../../src/tuple/relationship.js";
import { checkUniverse } from "../generators/index.js";
import { compareLookups } from "../oracle/lookup-differential.js";
import type { OracleResult, SpiceDbOracle } from "../oracle/spicedb-oracle.js";
import {
  asksExpiredSubjectSet,
  secondOpinions,
  sideBySide,
  spiceDbAnswers,
} from "../oracle/spicedb-quirks.js";
import { collect } from "./lookup-test-helpers.js";
import { loadSpiceDbCase } from "./spicedb-case.js";

/** ComparedCase is a generated case: a schema's text and what it compiles to, relationships and a request context. */
export interface ComparedCase {
  readonly text: string;
  readonly schema: CompiledSchema;
  readonly relationships: readonly Relationship[];
  readonly context: Record<string, unknown>;
}

/**
 * compareChecks loads the case into oracle and a memory store and asks both every question of
 * its check universe, failing the test where the answers differ (SpiceDB's second opinion
 * decides where its bulk answer carries another item's caveats); it returns how many it compared.
 * Cyclic data is the caller's to leave out: SpiceDB walks it to its depth limit.
 */
export async function compareChecks(oracle: SpiceDbOracle, asked: ComparedCase): Promise<number> {
  const { text, schema, relationships: generated, context } = asked;
  const { relationships, reader, told } = await loadSpiceDbCase(oracle, text, generated);
  const engine = createCheckEngine({ schema, dispatcher: createLocalDispatcher() });
  const questions = checkUniverse(schema, generated).map((q) => ({ ...q, context }));
  const latch = await engine.checkBulk(reader, questions);
  const toSpiceDb = questions.map((q) => ({ ...q, context: told(context) }));
  const bulk = await spiceDbAnswers(oracle, toSpiceDb);
  if (!bulk) return 0;
  const compare = (answer: OracleResult, index: number) => {
    const item = latch[index]!;
    return item.ok
      ? sideBySide(item.result.result, item.result.missing, answer)
      : sideBySide(item.error.message, undefined, answer);
  };
  const spicedb = await secondOpinions(oracle, toSpiceDb, bulk, compare);
  let compared = 0;
  for (const [index, question] of questions.entries()) {
    if (asksExpiredSubjectSet(question.subject, relationships)) continue;
    const label = `${question.resource.type}:${question.resource.id}#${question.permission}@${formatSubjectRef(question.subject)}\n${text}\n${relationships.map(formatRelationship).join("\n")}\ncontext ${JSON.stringify(context)}`;
    const { actual, expected } = compare(spicedb[index]!, index);
    expect(actual, label).toEqual(expected);
    compared++;
  }
  return compared;
}

/**
 * compareEveryLookup loads the case into oracle and a memory store and compares the engine's
 * LookupResources and LookupSubjects with SpiceDB's for every resource and subject (see
 * compareLookups); it returns how many answers it compared.
 */
export async function compareEveryLookup(
  oracle: SpiceDbOracle,
  asked: ComparedCase,
): Promise<number> {
  const { text, schema, relationships: generated, context } = asked;
  const { relationships, reader, told } = await loadSpiceDbCase(oracle, text, generated);
  const checkEngine = createCheckEngine({ schema, dispatcher: createLocalDispatcher() });
  const lookups = createLookupEngine({ schema, checkEngine });
  const sides = {
    oracle,
    told: told(context),
    relationships,
    label: `${text}\n${relationships.map(formatRelationship).join("\n")}\ncontext ${JSON.stringify(context)}`,
  };
  const count = await compareLookups(sides, schema, generated, {
    resources: (resourceType, permission, subject) =>
      collect(lookups.lookupResources(reader, { resourceType, permission, subject, context })),
    subjects: (resource, permission, subjectType, subjectRelation) =>
      lookups.lookupSubjects(reader, {
        resource,
        permission,
        subjectType,
        subjectRelation,
        context,
      }),
  });
  return count ?? 0;
}
