// Property: LookupResources and LookupSubjects agree with Check on random data over a fixed schema.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { CheckResult } from "../../src/engine/check-engine.js";
import type { LookupSubjectsItem } from "../../src/engine/lookup-subjects.js";
import type { CaveatContext } from "../../src/schema/caveat/compiled-caveat.js";
import type { SnapshotReader } from "../../src/store/store.js";
import type { SubjectRef } from "../../src/tuple/relationship.js";
import { relationshipKey } from "../../src/tuple/relationship-key.js";
import { LOOKUP_SCHEMA } from "./lookup-schema.js";
import { collect, compile, type Fixture, load, rel } from "./lookup-test-helpers.js";

const schema = compile(LOOKUP_SCHEMA);

/** u4 is never written: the wildcard alone decides for it. */
const USERS = ["u0", "u1", "u2", "u3", "u4"];
const GROUPS = ["g0", "g1", "g2"];
const FOLDERS = ["f0", "f1", "f2"];
const LABELS = ["l0", "l1"];
const DOCUMENTS = ["d0", "d1", "d2", "d3"];
const IDS: Record<string, readonly string[]> = {
  user: USERS,
  group: GROUPS,
  folder: FOLDERS,
  label: LABELS,
  document: DOCUMENTS,
};
const LOOKED_UP: readonly [string, string][] = [
  ["document", "view"],
  ["document", "edit"],
  ["document", "cleared"],
  ["document", "any_cleared"],
  ["folder", "view"],
  ["group", "member"],
];

const START = Date.now();
const EXPIRY = new Date(START + 3_600_000).toISOString();
const WRITTEN_USERS = USERS.slice(0, 4);
const CAVEATS = ["[in_region]", '[in_region:{"region":"us"}]', '[in_region:{"region":"eu"}]'];

/** Every relationship the generator may pick (several per key, differing in caveat or expiry). */
const POSSIBLE = [
  ...pairs(GROUPS, [
    ...WRITTEN_USERS.map((u) => `user:${u}`),
    ...GROUPS.map((g) => `group:${g}#member`),
    ...WRITTEN_USERS.flatMap((u) => CAVEATS.map((c) => `user:${u}${c}`)),
  ]).map(([g, s]) => `group:${g}#member@${s}`),
  ...pairs(LABELS, WRITTEN_USERS).map(([l, u]) => `label:${l}#cleared@user:${u}`),
  ...pairs(FOLDERS, FOLDERS).map(([f, p]) => `folder:${f}#parent@folder:${p}`),
  ...pairs(FOLDERS, [
    ...WRITTEN_USERS.map((u) => `user:${u}`),
    "user:*",
    ...GROUPS.map((g) => `group:${g}#member`),
  ]).map(([f, s]) => `folder:${f}#viewer@${s}`),
  ...pairs(DOCUMENTS, FOLDERS).map(([d, f]) => `document:${d}#folder@folder:${f}`),
  ...pairs(DOCUMENTS, LABELS).map(([d, l]) => `document:${d}#label@label:${l}`),
  ...pairs(DOCUMENTS, [
    ...WRITTEN_USERS.map((u) => `user:${u}`),
    "user:*",
    ...GROUPS.map((g) => `group:${g}#member`),
    ...WRITTEN_USERS.flatMap((u) =>
      [...CAVEATS, `[expiration:${EXPIRY}]`].map((c) => `user:${u}${c}`),
    ),
  ]).map(([d, s]) => `document:${d}#viewer@${s}`),
  ...pairs(DOCUMENTS, [
    ...WRITTEN_USERS.map((u) => `user:${u}`),
    ...GROUPS.map((g) => `group:${g}#member`),
  ]).map(([d, s]) => `document:${d}#editor@${s}`),
  ...pairs(DOCUMENTS, [
    ...WRITTEN_USERS.map((u) => `user:${u}`),
    "user:*",
    ...GROUPS.map((g) => `group:${g}#member`),
    ...WRITTEN_USERS.flatMap((u) => CAVEATS.map((c) => `user:${u}${c}`)),
  ]).map(([d, s]) => `document:${d}#banned@${s}`),
].map(rel);

const SUBJECTS: SubjectRef[] = [
  ...USERS.map((id) => ({ type: "user", id })),
  ...GROUPS.map((id) => ({ type: "group", id, relation: "member" })),
];

const dataset = fc.record({
  relationships: fc.uniqueArray(fc.constantFrom(...POSSIBLE), {
    maxLength: 30,
    selector: relationshipKey,
  }),
  context: fc.constantFrom<(CaveatContext | undefined)[]>(
    undefined,
    {},
    { region: "us" },
    { region: "eu" },
  ),
  /** Reading after the expiry hides the expiring relationships. */
  late: fc.boolean(),
  limit: fc.integer({ min: 1, max: 4 }),
});

describe("lookups agree with check", () => {
  it("on random data: LookupResources and LookupSubjects give exactly Check's answers", async () => {
    await fc.assert(
      fc.asyncProperty(dataset, async ({ relationships, context, late, limit }) => {
        const fixture = await load(schema, relationships);
        const reader = await fixture.reader(new Date(late ? START + 7_200_000 : START));
        await expectResourcesAgree(fixture, reader, context, limit);
        await expectSubjectsAgree(fixture, reader, context);
      }),
      { numRuns: 150 },
    );
  });
});

async function expectResourcesAgree(
  fixture: Fixture,
  reader: SnapshotReader,
  context: CaveatContext | undefined,
  limit: number,
): Promise<void> {
  for (const subject of SUBJECTS) {
    for (const [resourceType, permission] of LOOKED_UP) {
      const request = { resourceType, permission, subject, context };
      const found = await collect(fixture.lookups.lookupResources(reader, request));
      const expected = await checkAll(
        fixture,
        reader,
        IDS[resourceType]!.map((id) => ({ resource: { type: resourceType, id }, subject })),
        permission,
        context,
      );
      const granted = expected.flatMap((answer, index) =>
        answer.result === "denied"
          ? []
          : [{ id: IDS[resourceType]![index]!, result: answer.result, missing: answer.missing }],
      );
      expect(
        found.map(({ id, result, missing }) => ({ id, result, missing })),
        `${resourceType}#${permission} for ${subject.type}:${subject.id}`,
      ).toEqual(granted);

      const paged: string[] = [];
      let cursor: string | undefined;
      // A page shorter than the limit is the last; more pages than results means a cursor repeats.
      for (let pages = 0; pages <= granted.length; pages++) {
        const page = await collect(
          fixture.lookups.lookupResources(reader, { ...request, limit, cursor }),
        );
        paged.push(...page.map((item) => item.id));
        if (page.length < limit) break;
        cursor = page.at(-1)!.cursor;
      }
      expect(paged).toEqual(granted.map((item) => item.id));
    }
  }
}

async function expectSubjectsAgree(
  fixture: Fixture,
  reader: SnapshotReader,
  context: CaveatContext | undefined,
): Promise<void> {
  for (const [resourceType, permission] of LOOKED_UP) {
    for (const id of IDS[resourceType]!) {
      const resource = { type: resourceType, id };
      const users = await fixture.lookups.lookupSubjects(reader, {
        resource,
        permission,
        subjectType: "user",
        context,
      });
      const userChecks = await checkAll(
        fixture,
        reader,
        USERS.map((u) => ({ resource, subject: { type: "user", id: u } })),
        permission,
        context,
      );
      USERS.forEach((u, index) => {
        expect(answerFor(users, u), `${resourceType}:${id}#${permission} for user:${u}`).toEqual(
          summary(userChecks[index]!),
        );
      });
      expect(users.map((item) => item.id)).toEqual(users.map((item) => item.id).sort());

      const groups = await fixture.lookups.lookupSubjects(reader, {
        resource,
        permission,
        subjectType: "group",
        subjectRelation: "member",
        context,
      });
      const groupChecks = await checkAll(
        fixture,
        reader,
        GROUPS.map((g) => ({ resource, subject: { type: "group", id: g, relation: "member" } })),
        permission,
        context,
      );
      const granted = groupChecks.flatMap((answer, index) =>
        answer.result === "denied" ? [] : [{ id: GROUPS[index]!, ...summary(answer) }],
      );
      expect(
        groups.map(({ id, result, missing }) => ({ id, result, missing })),
        `${resourceType}:${id}#${permission} for group#member`,
      ).toEqual(granted);
    }
  }
}

/**
 * answerFor reads LookupSubjects' answer for one subject: its own item, else the wildcard's
 * unless the wildcard excludes it, else denied.
 */
function answerFor(items: readonly LookupSubjectsItem[], id: string) {
  const own = items.find((item) => item.id === id);
  const wildcard = items.find((item) => item.id === "*");
  const item = own ?? (wildcard && !wildcard.excludedIds.includes(id) ? wildcard : undefined);
  return item ? { result: item.result, missing: item.missing } : { result: "denied", missing: [] };
}

function summary(answer: CheckResult) {
  return { result: answer.result, missing: [...answer.missing] };
}

async function checkAll(
  fixture: Fixture,
  reader: SnapshotReader,
  items: readonly { resource: { type: string; id: string }; subject: SubjectRef }[],
  permission: string,
  context: CaveatContext | undefined,
): Promise<CheckResult[]> {
  const answers = await fixture.checks.checkBulk(
    reader,
    items.map((item) => ({ ...item, permission, context })),
  );
  return answers.map((answer) => {
    if (!answer.ok) throw answer.error;
    return answer.result;
  });
}

function pairs<A, B>(as: readonly A[], bs: readonly B[]): [A, B][] {
  return as.flatMap((a) => bs.map((b): [A, B] => [a, b]));
}
