// The membership-set algebra, on the examples SpiceDB documents for its subject sets.

import { describe, expect, it } from "vitest";
import { memberString, memberSubject } from "../../src/validation/member-string.js";
import {
  addMember,
  conditionMembership,
  EMPTY_MEMBERSHIP,
  excludeMembership,
  intersectMembership,
  listMembers,
  type MembershipSet,
  unionMembership,
} from "../../src/validation/membership-set.js";

/**
 * set builds a membership set from `user:tom`, `user:tom[...]` (caveated) or `user:*`, each stored
 * in the relation `doc:x#<relation>`.
 */
function set(relation: string, ...subjects: string[]): MembershipSet {
  return subjects.reduce((result, text) => {
    const caveated = text.endsWith("[...]");
    const [type, id] = text.replace("[...]", "").split(":") as [string, string];
    return addMember(result, { type, id }, caveated, `doc:x#${relation}`);
  }, EMPTY_MEMBERSHIP);
}

/** subjects writes the subjects of a set, sorted, as in expected relations (without relations). */
function subjects(result: MembershipSet): string[] {
  return listMembers(result).map(memberSubject).sort();
}

const star = (relation: string, ...excluded: string[]) =>
  excludeMembership(set(relation, "user:*"), set(relation, ...excluded));

describe("union", () => {
  it("merges a subject found twice, with both relations, caveated only if both are", () => {
    const result = unionMembership(
      set("a", "user:tom", "user:amy[...]"),
      set("b", "user:tom[...]", "user:amy[...]"),
    );
    expect(listMembers(result).map(memberString).sort()).toEqual([
      "[user:amy[...]] is <doc:x#a>/<doc:x#b>",
      "[user:tom] is <doc:x#a>/<doc:x#b>",
    ]);
  });

  it("keeps a wildcard beside concrete subjects, and drops exclusions the other side gives back", () => {
    expect(subjects(unionMembership(set("a", "user:*"), set("b", "user:tom")))).toEqual([
      "user:*",
      "user:tom",
    ]);
    expect(subjects(unionMembership(star("a", "user:tom"), set("b", "user:tom")))).toEqual([
      "user:*",
      "user:tom",
    ]);
    expect(subjects(unionMembership(star("a", "user:tom"), set("b", "user:tom[...]")))).toEqual([
      "user:* - {user:tom[...]}",
      "user:tom[...]",
    ]);
  });

  it("keeps only the exclusions both wildcards have", () => {
    expect(subjects(unionMembership(star("a", "user:tom"), star("b", "user:sarah")))).toEqual([
      "user:*",
    ]);
    expect(
      subjects(unionMembership(star("a", "user:tom", "user:sarah"), star("b", "user:sarah"))),
    ).toEqual(["user:* - {user:sarah}"]);
  });

  it("keeps subject types and subject sets apart", () => {
    const groups = addMember(
      EMPTY_MEMBERSHIP,
      { type: "group", id: "eng", relation: "member" },
      false,
      "doc:x#a",
    );
    expect(subjects(unionMembership(groups, set("a", "user:*")))).toEqual([
      "group:eng#member",
      "user:*",
    ]);
  });
});

describe("exclusion", () => {
  it("removes a subject, or keeps it caveated (with the remover's relations) when the removal is caveated", () => {
    expect(
      subjects(excludeMembership(set("a", "user:tom", "user:sarah"), set("b", "user:tom"))),
    ).toEqual(["user:sarah"]);
    expect(subjects(excludeMembership(set("a", "user:tom[...]"), set("b", "user:tom")))).toEqual(
      [],
    );
    const caveated = excludeMembership(set("a", "user:tom"), set("b", "user:tom[...]"));
    expect(listMembers(caveated).map(memberString)).toEqual([
      "[user:tom[...]] is <doc:x#a>/<doc:x#b>",
    ]);
  });

  it("records concrete removals from a wildcard as its exclusions", () => {
    expect(subjects(star("a", "user:tom"))).toEqual(["user:* - {user:tom}"]);
    expect(subjects(star("a", "user:tom[...]"))).toEqual(["user:* - {user:tom[...]}"]);
    expect(subjects(excludeMembership(star("a", "user:tom[...]"), set("b", "user:tom")))).toEqual([
      "user:* - {user:tom}",
    ]);
  });

  it("removes every concrete subject a wildcard covers", () => {
    const both = set("a", "user:sarah", "user:tom");
    expect(subjects(excludeMembership(both, set("b", "user:*")))).toEqual([]);
    expect(subjects(excludeMembership(both, set("b", "user:*[...]")))).toEqual([
      "user:sarah[...]",
      "user:tom[...]",
    ]);
    expect(subjects(excludeMembership(both, star("b", "user:tom")))).toEqual(["user:tom"]);
  });

  it("turns what one wildcard excludes and the other does not into concrete subjects", () => {
    const result = excludeMembership(
      star("a", "user:sarah"),
      star("b", "user:tom", "user:amy", "user:sarah"),
    );
    expect(subjects(result)).toEqual(["user:amy", "user:tom"]);
    expect(subjects(excludeMembership(set("a", "user:*"), set("b", "user:*")))).toEqual([]);
  });
});

describe("intersection", () => {
  it("keeps subjects on both sides with the relations of both, caveated if either side is", () => {
    const result = intersectMembership(
      set("a", "user:tom", "user:amy"),
      set("b", "user:tom[...]", "user:sam"),
    );
    expect(listMembers(result).map(memberString)).toEqual([
      "[user:tom[...]] is <doc:x#a>/<doc:x#b>",
    ]);
  });

  it("lets a concrete subject through the other side's wildcard, unless excluded", () => {
    expect(subjects(intersectMembership(set("a", "user:tom"), set("b", "user:*")))).toEqual([
      "user:tom",
    ]);
    expect(subjects(intersectMembership(set("a", "user:*"), set("b", "user:tom")))).toEqual([
      "user:tom",
    ]);
    expect(subjects(intersectMembership(set("a", "user:tom"), star("b", "user:tom")))).toEqual([]);
    expect(subjects(intersectMembership(set("a", "user:tom"), star("b", "user:tom[...]")))).toEqual(
      ["user:tom[...]"],
    );
  });

  it("takes the relations of an uncaveated wildcard only for subjects it has itself", () => {
    const result = intersectMembership(
      set("a", "user:*", "user:carol"),
      set("b", "user:carol", "user:dan"),
    );
    expect(listMembers(result).map(memberString).sort()).toEqual([
      "[user:carol] is <doc:x#a>/<doc:x#b>",
      "[user:dan] is <doc:x#b>",
    ]);
  });

  it("meets two wildcards in one with the exclusions of both", () => {
    expect(subjects(intersectMembership(star("a", "user:tom"), star("b", "user:sarah")))).toEqual([
      "user:* - {user:sarah, user:tom}",
    ]);
  });

  it("drops subject types only one side has", () => {
    const groups = addMember(
      EMPTY_MEMBERSHIP,
      { type: "group", id: "eng", relation: "member" },
      false,
      "doc:x#a",
    );
    expect(
      subjects(
        intersectMembership(unionMembership(groups, set("a", "user:tom")), set("b", "user:tom")),
      ),
    ).toEqual(["user:tom"]);
  });
});

describe("caveats above a set", () => {
  it("marks every subject, wildcards included, and keeps exclusions", () => {
    const result = conditionMembership(
      unionMembership(set("a", "user:tom"), star("a", "user:amy")),
      true,
    );
    expect(subjects(result)).toEqual(["user:*[...] - {user:amy}", "user:tom[...]"]);
    expect(conditionMembership(set("a", "user:tom"), false)).toEqual(set("a", "user:tom"));
  });
});
