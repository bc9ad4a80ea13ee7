// `self` (with `use self`): an object's permission held by the object itself, in every engine call,
// on the answers SpiceDB gives for the same schema and data (where SpiceDB's are right).

import { describe, expect, it } from "vitest";
import { expand } from "../../src/engine/expand.js";
import { renderExplanation } from "../../src/engine/render-explanation.js";
import type { SubjectRef } from "../../src/tuple/relationship.js";
import { collect, compile, type Fixture, load } from "./lookup-test-helpers.js";

const SCHEMA = compile(`use self

definition user {
  relation friend: user | user#view | group#member
  relation pub: user:*
  permission view = self
  permission fview = friend->view
  permission both = self & pub
  permission notself = pub - self
  permission friendview = self + friend
}

definition group {
  relation member: user | group#member
  relation parent: group
  permission mem = member + self
  permission pmem = parent->mem
}
`);

const DATA = [
  "user:alice#friend@user:bob",
  "user:alice#pub@user:*",
  "group:eng#member@user:carol",
  "group:eng#parent@group:root",
  "group:root#member@group:eng#member",
  "user:dan#friend@group:eng#member",
];

/** ref reads `type:id` or `type:id#relation`. */
function ref(text: string): SubjectRef {
  const [object, relation] = text.split("#");
  const [type, id] = object!.split(":");
  return relation === undefined ? { type: type!, id: id! } : { type: type!, id: id!, relation };
}

async function check(fixture: Fixture, resource: string, permission: string, subject: string) {
  const { type, id } = ref(resource);
  const answer = await fixture.checks.check(await fixture.reader(), {
    resource: { type, id },
    permission,
    subject: ref(subject),
  });
  return answer.result;
}

describe("self", () => {
  it("Check: allows the object itself, with no relation, and nothing else", async () => {
    const fixture = await load(SCHEMA, DATA);
    const cases: [string, string, string, string][] = [
      ["user:alice", "view", "user:alice", "allowed"],
      ["user:alice", "view", "user:bob", "denied"],
      ["user:alice", "view", "user:alice#view", "allowed"],
      ["user:alice", "view", "user:alice#friend", "denied"],
      ["user:nobody", "view", "user:nobody", "allowed"],
      ["user:alice", "fview", "user:bob", "allowed"],
      ["user:alice", "fview", "user:alice", "denied"],
      ["user:alice", "both", "user:alice", "allowed"],
      ["user:bob", "both", "user:bob", "denied"],
      ["user:alice", "notself", "user:alice", "denied"],
      ["user:alice", "notself", "user:zed", "allowed"],
      ["group:eng", "mem", "group:eng", "allowed"],
      ["group:eng", "mem", "group:eng#member", "allowed"],
      ["group:eng", "mem", "user:carol", "allowed"],
      ["group:eng", "pmem", "group:root", "allowed"],
      ["group:eng", "pmem", "group:eng", "denied"],
      ["group:root", "mem", "user:carol", "allowed"],
      ["user:dan", "friendview", "group:eng#member", "allowed"],
      ["user:dan", "friendview", "user:carol", "allowed"],
    ];
    for (const [resource, permission, subject, expected] of cases) {
      expect(
        await check(fixture, resource, permission, subject),
        `${resource} ${permission} ${subject}`,
      ).toBe(expected);
    }
  });

  it("LookupResources: finds the subject itself, even when no relationship names it", async () => {
    const fixture = await load(SCHEMA, DATA);
    const reader = await fixture.reader();
    const found = async (resourceType: string, permission: string, subject: string) =>
      (
        await collect(
          fixture.lookups.lookupResources(reader, {
            resourceType,
            permission,
            subject: ref(subject),
          }),
        )
      ).map((item) => item.id);
    expect(await found("user", "view", "user:alice")).toEqual(["alice"]);
    expect(await found("user", "view", "user:ghost")).toEqual(["ghost"]);
    expect(await found("user", "view", "group:eng")).toEqual([]);
    expect(await found("user", "view", "group:eng#member")).toEqual([]);
    expect(await found("user", "fview", "user:bob")).toEqual(["alice"]);
    // SpiceDB fails these two with an internal error ("cannot call HintForEntrypoint").
    expect(await found("user", "both", "user:alice")).toEqual(["alice"]);
    expect(await found("user", "both", "user:ghost")).toEqual([]);
    expect(await found("user", "notself", "user:alice")).toEqual([]);
    expect(await found("user", "notself", "user:ghost")).toEqual(["alice"]);
    expect(await found("group", "mem", "group:eng")).toEqual(["eng"]);
    expect(await found("group", "mem", "group:eng#member")).toEqual(["eng", "root"]);
    expect(await found("group", "mem", "user:carol")).toEqual(["eng", "root"]);
    expect(await found("group", "mem", "group:ghost")).toEqual(["ghost"]);
    expect(await found("group", "pmem", "group:root")).toEqual(["eng"]);
    expect(await found("user", "friendview", "user:carol")).toEqual(["carol", "dan"]);
    expect(await found("user", "friendview", "group:eng#member")).toEqual(["dan"]);
  });

  it("LookupSubjects: lists the resource itself for its own type only, and excludes it from a wildcard it is subtracted from", async () => {
    const fixture = await load(SCHEMA, DATA);
    const reader = await fixture.reader();
    const found = async (
      resource: string,
      permission: string,
      subjectType: string,
      subjectRelation?: string,
    ) =>
      (
        await fixture.lookups.lookupSubjects(reader, {
          resource: ref(resource),
          permission,
          subjectType,
          ...(subjectRelation === undefined ? {} : { subjectRelation }),
        })
      ).map((item) =>
        item.excludedIds.length > 0 ? `${item.id}-${item.excludedIds.join(",")}` : item.id,
      );
    expect(await found("user:alice", "view", "user")).toEqual(["alice"]);
    // SpiceDB lists alice here too, though she is a user, not a group.
    expect(await found("user:alice", "view", "group")).toEqual([]);
    expect(await found("user:alice", "view", "user", "view")).toEqual(["alice"]);
    expect(await found("user:alice", "friendview", "user")).toEqual(["alice", "bob"]);
    expect(await found("user:alice", "both", "user")).toEqual(["alice"]);
    expect(await found("user:alice", "notself", "user")).toEqual(["*-alice"]);
    expect(await found("user:bob", "notself", "user")).toEqual([]);
    expect(await found("group:eng", "mem", "group")).toEqual(["eng"]);
    expect(await found("group:eng", "mem", "user")).toEqual(["carol"]);
    expect(await found("group:eng", "mem", "group", "member")).toEqual(["eng"]);
    expect(await found("group:eng", "pmem", "group")).toEqual(["root"]);
    expect(await found("group:root", "mem", "group", "member")).toEqual(["eng", "root"]);
    expect(await found("user:dan", "friendview", "group", "member")).toEqual(["eng"]);
  });

  it("Expand: self is the object itself; an explanation says so", async () => {
    const fixture = await load(SCHEMA, DATA);
    const reader = await fixture.reader();
    const tree = await expand(SCHEMA, reader, {
      resource: { type: "user", id: "alice" },
      relation: "view",
      depth: 3,
    });
    expect(tree).toEqual({
      kind: "union",
      node: "user:alice#view",
      children: [{ kind: "self", node: "user:alice#view", object: { type: "user", id: "alice" } }],
    });
    const explained = await fixture.checks.check(reader, {
      resource: { type: "user", id: "alice" },
      permission: "friendview",
      subject: { type: "user", id: "alice" },
      explain: true,
    });
    expect(renderExplanation(explained.explanation!, { type: "user", id: "alice" })).toEqual([
      "user:alice#friendview holds user:alice itself (self)",
    ]);
  });
});
