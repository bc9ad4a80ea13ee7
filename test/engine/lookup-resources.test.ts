// LookupResources by hand: each construct, caveats, expiry, cycles, paging with cursors, and request errors.

import { describe, expect, it } from "vitest";
import { EngineError } from "../../src/engine/engine-error.js";
import type { LookupResourcesRequest } from "../../src/engine/lookup-resources.js";
import type { SubjectRef } from "../../src/tuple/relationship.js";
import { LOOKUP_SCHEMA } from "./lookup-schema.js";
import { collect, compile, type Fixture, load } from "./lookup-test-helpers.js";

const schema = compile(LOOKUP_SCHEMA);
const alice: SubjectRef = { type: "user", id: "alice" };
const bob: SubjectRef = { type: "user", id: "bob" };

async function ids(
  fixture: Fixture,
  request: Omit<LookupResourcesRequest, "subject"> & { subject?: SubjectRef },
  now?: Date,
): Promise<string[]> {
  const reader = await fixture.reader(now);
  const items = await collect(
    fixture.lookups.lookupResources(reader, { subject: alice, ...request }),
  );
  return items.map((item) => item.id);
}

describe("lookupResources", () => {
  it("finds direct grants and wildcards", async () => {
    const fixture = await load(schema, [
      "document:d1#viewer@user:alice",
      "document:d2#viewer@user:bob",
      "document:pub#viewer@user:*",
    ]);
    expect(await ids(fixture, { resourceType: "document", permission: "view" })).toEqual([
      "d1",
      "pub",
    ]);
    expect(await ids(fixture, { resourceType: "document", permission: "viewer" })).toEqual([
      "d1",
      "pub",
    ]);
  });

  it("finds grants through nested groups, and for a subject set as the subject", async () => {
    const fixture = await load(schema, [
      "group:eng#member@user:alice",
      "group:all#member@group:eng#member",
      "document:d1#viewer@group:all#member",
      "document:d2#editor@group:eng#member",
      "document:d3#viewer@group:other#member",
    ]);
    expect(await ids(fixture, { resourceType: "document", permission: "view" })).toEqual([
      "d1",
      "d2",
    ]);
    expect(await ids(fixture, { resourceType: "group", permission: "member" })).toEqual([
      "all",
      "eng",
    ]);
    const engMembers: SubjectRef = { type: "group", id: "eng", relation: "member" };
    expect(
      await ids(fixture, { resourceType: "document", permission: "view", subject: engMembers }),
    ).toEqual(["d1", "d2"]);
    // A set is a member of itself, as Check (and SpiceDB) says.
    expect(
      await ids(fixture, { resourceType: "group", permission: "member", subject: engMembers }),
    ).toEqual(["all", "eng"]);
  });

  it("follows arrows through nested folders and ends on cyclic folders", async () => {
    const fixture = await load(schema, [
      "folder:root#viewer@user:alice",
      "folder:a#parent@folder:root",
      "folder:b#parent@folder:a",
      "folder:c#parent@folder:d",
      "folder:d#parent@folder:c",
      "folder:root#parent@folder:b",
      "document:d1#folder@folder:b",
      "document:d2#folder@folder:c",
    ]);
    expect(await ids(fixture, { resourceType: "folder", permission: "view" })).toEqual([
      "a",
      "b",
      "root",
    ]);
    expect(await ids(fixture, { resourceType: "document", permission: "view" })).toEqual(["d1"]);
  });

  it("honours arrows over all and any related objects", async () => {
    const fixture = await load(schema, [
      "label:secret#cleared@user:alice",
      "label:eyes#cleared@user:bob",
      "document:one#label@label:secret",
      "document:two#label@label:secret",
      "document:two#label@label:eyes",
    ]);
    expect(await ids(fixture, { resourceType: "document", permission: "cleared" })).toEqual([
      "one",
    ]);
    expect(await ids(fixture, { resourceType: "document", permission: "any_cleared" })).toEqual([
      "one",
      "two",
    ]);
  });

  it("confirms intersections and exclusions", async () => {
    const fixture = await load(schema, [
      "document:both#editor@user:alice",
      "document:both#viewer@user:alice",
      "document:editonly#editor@user:alice",
      "document:banned#viewer@user:alice",
      "document:banned#banned@user:alice",
      "document:pub#viewer@user:*",
      "document:pub#banned@group:bad#member",
      "group:bad#member@user:bob",
    ]);
    expect(await ids(fixture, { resourceType: "document", permission: "edit" })).toEqual(["both"]);
    expect(await ids(fixture, { resourceType: "document", permission: "view" })).toEqual([
      "both",
      "editonly",
      "pub",
    ]);
    expect(
      await ids(fixture, { resourceType: "document", permission: "view", subject: bob }),
    ).toEqual([]);
  });

  it("reports caveated grants as conditional with the missing parameters", async () => {
    const fixture = await load(schema, [
      "document:d1#viewer@user:alice[in_region]",
      "document:d2#viewer@user:alice",
      "document:d2#banned@user:alice[in_region]",
      'document:d3#viewer@user:alice[in_region:{"region":"us"}]',
    ]);
    const reader = await fixture.reader();
    const request = { resourceType: "document", permission: "view", subject: alice };
    const items = await collect(fixture.lookups.lookupResources(reader, request));
    expect(items.map(({ id, result, missing }) => ({ id, result, missing }))).toEqual([
      { id: "d1", result: "conditional", missing: ["region"] },
      { id: "d2", result: "conditional", missing: ["region"] },
      { id: "d3", result: "allowed", missing: [] },
    ]);
    const inUs = await collect(
      fixture.lookups.lookupResources(reader, { ...request, context: { region: "us" } }),
    );
    expect(inUs.map(({ id, result }) => [id, result])).toEqual([
      ["d1", "allowed"],
      ["d3", "allowed"],
    ]);
  });

  it("ignores expired relationships", async () => {
    const expiry = new Date(Date.now() + 3_600_000).toISOString();
    const fixture = await load(schema, [`document:d1#viewer@user:alice[expiration:${expiry}]`]);
    const request = { resourceType: "document", permission: "view" };
    expect(await ids(fixture, request)).toEqual(["d1"]);
    expect(await ids(fixture, request, new Date(Date.now() + 7_200_000))).toEqual([]);
  });

  it("pages in id order with cursors, giving each id exactly once", async () => {
    const rels: string[] = [];
    for (let i = 0; i < 260; i++) {
      const id = `doc${String(i).padStart(3, "0")}`;
      rels.push(`document:${id}#viewer@user:alice`);
      if (i % 3 === 0) rels.push(`document:${id}#banned@user:alice`);
    }
    const fixture = await load(schema, rels);
    const reader = await fixture.reader();
    const base = { resourceType: "document", permission: "view", subject: alice };
    const all = await collect(fixture.lookups.lookupResources(reader, base));
    expect(all).toHaveLength(173);
    expect(all.map((item) => item.id)).toEqual(all.map((item) => item.id).sort());

    const paged: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 100; pages++) {
      const page = await collect(
        fixture.lookups.lookupResources(reader, { ...base, limit: 17, cursor }),
      );
      paged.push(...page.map((item) => item.id));
      if (page.length < 17) break;
      cursor = page.at(-1)!.cursor;
    }
    expect(paged).toEqual(all.map((item) => item.id));

    // Every item's cursor resumes right after it.
    const resumed = await collect(
      fixture.lookups.lookupResources(reader, { ...base, cursor: all[99]!.cursor, limit: 2 }),
    );
    expect(resumed.map((item) => item.id)).toEqual([all[100]!.id, all[101]!.id]);
  });

  it("rejects malformed cursors, cursors of other lookups and bad requests", async () => {
    const fixture = await load(schema, ["document:d1#viewer@user:alice"]);
    const reader = await fixture.reader();
    const base = { resourceType: "document", permission: "view", subject: alice };
    const [first] = await collect(fixture.lookups.lookupResources(reader, base));
    const invalid = (request: LookupResourcesRequest) => {
      let error: unknown;
      try {
        fixture.lookups.lookupResources(reader, request);
      } catch (thrown) {
        error = thrown;
      }
      expect(error).toBeInstanceOf(EngineError);
      expect((error as EngineError).code).toBe("invalid-argument");
      return (error as EngineError).message;
    };
    expect(invalid({ ...base, cursor: "not a cursor" })).toMatch(/^cursor: malformed/);
    expect(invalid({ ...base, cursor: "eyJ4Ijox" })).toMatch(/^cursor: malformed/);
    expect(invalid({ ...base, cursor: `${first!.cursor}==` })).toMatch(/^cursor: malformed/);
    expect(invalid({ ...base, cursor: "" })).toMatch(/^cursor: malformed/);
    expect(invalid({ ...base, subject: bob, cursor: first!.cursor })).toMatch(
      /^cursor: issued for the lookup document#view@user:alice/,
    );
    expect(invalid({ ...base, limit: 0 })).toMatch(/^limit:/);
    expect(invalid({ ...base, limit: 1.5 })).toMatch(/^limit:/);
    expect(invalid({ ...base, permission: "nope" })).toMatch(/^permission:/);
    expect(invalid({ ...base, resourceType: "nope" })).toMatch(/^resourceType:/);
    expect(invalid({ ...base, subject: { type: "nope", id: "x" } })).toMatch(/^subject.type:/);
    expect(invalid({ ...base, subject: { type: "group", id: "x", relation: "nope" } })).toMatch(
      /^subject.relation:/,
    );
  });
});
