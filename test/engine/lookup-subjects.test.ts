// LookupSubjects by hand: each construct, the wildcard and its exclusions, caveats, expiry, cycles and subject sets.

import { describe, expect, it } from "vitest";
import { EngineError } from "../../src/engine/engine-error.js";
import type {
  LookupSubjectsItem,
  LookupSubjectsRequest,
} from "../../src/engine/lookup-subjects.js";
import { LOOKUP_SCHEMA } from "./lookup-schema.js";
import { compile, type Fixture, load } from "./lookup-test-helpers.js";

const schema = compile(LOOKUP_SCHEMA);

async function lookup(
  fixture: Fixture,
  request: Partial<LookupSubjectsRequest>,
  now?: Date,
): Promise<LookupSubjectsItem[]> {
  return fixture.lookups.lookupSubjects(await fixture.reader(now), {
    resource: { type: "document", id: "d" },
    permission: "view",
    subjectType: "user",
    ...request,
  });
}

async function ids(
  fixture: Fixture,
  request: Partial<LookupSubjectsRequest> = {},
  now?: Date,
): Promise<string[]> {
  return (await lookup(fixture, request, now)).map((item) => item.id);
}

function allowed(id: string, excludedIds: string[] = []): LookupSubjectsItem {
  return { id, result: "allowed", missing: [], excludedIds };
}

describe("lookupSubjects", () => {
  it("finds direct subjects, sorted", async () => {
    const fixture = await load(schema, [
      "document:d#viewer@user:carol",
      "document:d#viewer@user:alice",
      "document:other#viewer@user:bob",
    ]);
    expect(await lookup(fixture, {})).toEqual([allowed("alice"), allowed("carol")]);
  });

  it("reports the wildcard, with explicitly granted subjects listed too", async () => {
    const fixture = await load(schema, [
      "document:d#viewer@user:*",
      "document:d#viewer@user:alice",
      "document:d#editor@user:bob",
    ]);
    expect(await lookup(fixture, {})).toEqual([allowed("*"), allowed("alice"), allowed("bob")]);
  });

  it("lists the subjects an exclusion removes from the wildcard, and not them", async () => {
    const fixture = await load(schema, [
      "document:d#viewer@user:*",
      "document:d#banned@user:bob",
      "document:d#banned@group:bad#member",
      "group:bad#member@user:eve",
      "document:d#viewer@user:eve",
    ]);
    expect(await lookup(fixture, {})).toEqual([allowed("*", ["bob", "eve"])]);
  });

  it("drops the wildcard when it is banned or intersected with concrete subjects", async () => {
    const fixture = await load(schema, [
      "document:d#viewer@user:*",
      "document:d#viewer@user:alice",
      "document:d#editor@user:alice",
      "document:d#editor@user:bob",
      "document:gone#viewer@user:*",
      "document:gone#viewer@user:alice",
      "document:gone#banned@user:*",
    ]);
    expect(await lookup(fixture, { permission: "edit" })).toEqual([
      allowed("alice"),
      allowed("bob"),
    ]);
    expect(await lookup(fixture, { resource: { type: "document", id: "gone" } })).toEqual([]);
  });

  it("expands nested groups, ending on cycles", async () => {
    const fixture = await load(schema, [
      "group:eng#member@user:alice",
      "group:all#member@group:eng#member",
      "group:all#member@user:bob",
      "group:eng#member@group:all#member",
      "document:d#viewer@group:all#member",
    ]);
    expect(await ids(fixture)).toEqual(["alice", "bob"]);
    expect(await ids(fixture, { subjectType: "group", subjectRelation: "member" })).toEqual([
      "all",
      "eng",
    ]);
  });

  it("finds sets nested in sets when asked for a subject relation", async () => {
    const fixture = await load(schema, [
      "group:a#member@group:b#member",
      "group:b#member@group:c#member",
      "group:c#member@user:carol",
      "document:d#viewer@group:a#member",
      "document:d#banned@group:c#member",
    ]);
    expect(await ids(fixture, { subjectType: "group", subjectRelation: "member" })).toEqual([
      "a",
      "b",
    ]);
    expect(await ids(fixture)).toEqual([]);
    // A set is a member of itself, as Check (and SpiceDB) says.
    expect(
      await ids(fixture, {
        resource: { type: "group", id: "b" },
        permission: "member",
        subjectType: "group",
        subjectRelation: "member",
      }),
    ).toEqual(["b", "c"]);
  });

  it("follows arrows through folders, any and all", async () => {
    const fixture = await load(schema, [
      "folder:root#viewer@user:alice",
      "folder:sub#parent@folder:root",
      "folder:sub#viewer@group:g#member",
      "group:g#member@user:bob",
      "document:d#folder@folder:sub",
      "label:x#cleared@user:alice",
      "label:x#cleared@user:bob",
      "label:y#cleared@user:bob",
      "document:d#label@label:x",
      "document:d#label@label:y",
    ]);
    expect(await ids(fixture)).toEqual(["alice", "bob"]);
    expect(await ids(fixture, { permission: "cleared" })).toEqual(["bob"]);
    expect(await ids(fixture, { permission: "any_cleared" })).toEqual(["alice", "bob"]);
  });

  it("lists no one an all-arrow denies for a walked subject without the target, as Check", async () => {
    // SpiceDB 1.54's LookupSubjects lists group:g3 here, though its CheckPermission denies it.
    const groups = compile(`definition user {}
definition document {
  relation member: user
  permission admin = member
}
definition group {
  relation owner: group | document#admin
  permission view = (owner.all(owner) & owner->owner) - owner
}
`);
    const fixture = await load(groups, [
      "group:g1#owner@document:d1#admin",
      "group:g1#owner@group:g2",
      "document:d1#member@user:alice",
      "group:g2#owner@group:g3",
    ]);
    const reader = await fixture.reader();
    const g1 = { type: "group", id: "g1" };
    const g3 = { type: "group", id: "g3" };
    const check = await fixture.checks.check(reader, {
      resource: g1,
      permission: "view",
      subject: g3,
    });
    expect(check.result).toBe("denied");
    expect(await ids(fixture, { resource: g1, subjectType: "group" })).toEqual([]);
  });
  it("reports caveats as conditional, and conditionally excluded subjects by themselves", async () => {
    const fixture = await load(schema, [
      "document:d#viewer@user:alice[in_region]",
      "document:d#viewer@user:*",
      "document:d#banned@user:bob[in_region]",
      "document:d#banned@user:carol",
      "document:e#viewer@group:g#member",
      "group:g#member@user:dan[in_region]",
    ]);
    expect(await lookup(fixture, {})).toEqual([
      allowed("*", ["carol"]),
      allowed("alice"),
      { id: "bob", result: "conditional", missing: ["region"], excludedIds: [] },
    ]);
    expect(await lookup(fixture, { context: { region: "us" } })).toEqual([
      allowed("*", ["bob", "carol"]),
      allowed("alice"),
    ]);
    expect(await lookup(fixture, { resource: { type: "document", id: "e" } })).toEqual([
      { id: "dan", result: "conditional", missing: ["region"], excludedIds: [] },
    ]);
  });

  it("ignores expired relationships", async () => {
    const expiry = new Date(Date.now() + 3_600_000).toISOString();
    const fixture = await load(schema, [
      `document:d#viewer@user:alice[expiration:${expiry}]`,
      "document:d#viewer@user:bob",
    ]);
    expect(await ids(fixture)).toEqual(["alice", "bob"]);
    expect(await ids(fixture, {}, new Date(Date.now() + 7_200_000))).toEqual(["bob"]);
  });

  it("rejects unknown types, permissions and subject relations", async () => {
    const fixture = await load(schema, []);
    const reader = await fixture.reader();
    const base: LookupSubjectsRequest = {
      resource: { type: "document", id: "d" },
      permission: "view",
      subjectType: "user",
    };
    const cases: [Partial<LookupSubjectsRequest>, RegExp][] = [
      [{ resource: { type: "nope", id: "d" } }, /^resource.type:/],
      [{ permission: "nope" }, /^permission:/],
      [{ subjectType: "nope" }, /^subjectType:/],
      [{ subjectType: "group", subjectRelation: "nope" }, /^subjectRelation:/],
    ];
    for (const [change, message] of cases) {
      const failure = fixture.lookups.lookupSubjects(reader, { ...base, ...change });
      await expect(failure).rejects.toBeInstanceOf(EngineError);
      await expect(failure).rejects.toMatchObject({ code: "invalid-argument", message });
    }
  });
});
