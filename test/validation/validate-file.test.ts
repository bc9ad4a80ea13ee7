// validateFile on small inline files: the edges of expected relations and of the file format.

import { describe, expect, it } from "vitest";
import { validateFile } from "../../src/validation/validate-file.js";
import { formatProblem } from "../../src/validation/validation-problem.js";

/** problems runs a file and prints its problems as the CLI does. */
async function problems(source: string): Promise<string[]> {
  const report = await validateFile(source);
  return report.problems.map((problem) => formatProblem("f.yaml", problem));
}

/** file assembles a validation file; each block is indented under its key. */
function file(blocks: { schema: string; relationships?: string; validation: string }): string {
  const indent = (text: string) =>
    text
      .trim()
      .split("\n")
      .map((line) => `  ${line}`)
      .join("\n");
  return [
    `schema: |-\n${indent(blocks.schema)}`,
    `relationships: |-\n${indent(blocks.relationships ?? "")}`,
    `validation:\n${indent(blocks.validation)}`,
    "",
  ].join("\n");
}

describe("expected relations", () => {
  it("are computed on cyclic data, the cycle adding nothing (SpiceDB fails with max depth)", async () => {
    const source = file({
      schema: `
definition user {}
definition group {
    relation member: user | group#member
}`,
      relationships: `
group:g1#member@group:g2#member
group:g2#member@group:g1#member
group:g2#member@user:carol`,
      validation: `
group:g1#member:
  - "[group:g1#member] is <group:g2#member>"
  - "[group:g2#member] is <group:g1#member>"
  - "[user:carol] is <group:g2#member>"`,
    });
    expect(await problems(source)).toEqual([]);
  });

  it("mark subjects under a caveated arrow relationship, whatever the arrow's target is made of", async () => {
    const source = file({
      schema: `
definition user {}
caveat in_region(region string) {
    region == "eu"
}
definition team {
    relation member: user
    relation lead: user
    permission access = member
}
definition project {
    relation lead: user
}
definition document {
    relation owner: team | team with in_region | project
    permission view = owner->access + owner->lead
}`,
      relationships: `
team:a#member@user:ann
team:a#lead@user:lea
team:b#member@user:bob
project:p#lead@user:pat
document:d#owner@team:a[in_region]
document:d#owner@team:b
document:d#owner@project:p`,
      validation: `
document:d#view:
  - "[user:ann[...]] is <team:a#member>"
  - "[user:bob] is <team:b#member>"
  - "[user:lea[...]] is <team:a#lead>"
  - "[user:pat] is <project:p#lead>"`,
    });
    expect(await problems(source)).toEqual([]);
  });

  it("report an expansion deeper than the depth limit at the key", async () => {
    const chain = Array.from(
      { length: 55 },
      (_, i) => `group:g${i}#member@group:g${i + 1}#member`,
    ).join("\n");
    const source = file({
      schema: `
definition user {}
definition group {
    relation member: user | group#member
}`,
      relationships: chain,
      validation: "group:g0#member: []",
    });
    const found = await problems(source);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(
      /^f\.yaml:\d+:3: group:g0#member: the expansion went deeper than 50 levels at group:g\d+#member; the data nests too deeply \(LATCH_MAX_DEPTH raises the limit\)$/,
    );
  });

  it("compare relations as sets, in any order, repeats ignored", async () => {
    const source = file({
      schema: `
definition user {}
definition document {
    relation viewer: user
    relation editor: user
    permission view = viewer + editor
}`,
      relationships: "document:d#viewer@user:ann\ndocument:d#editor@user:ann",
      validation: `
document:d#view:
  - "[user:ann] is <document:d#viewer>/<document:d#editor>/<document:d#viewer>"`,
    });
    expect(await problems(source)).toEqual([]);
  });
});

describe("the file format", () => {
  it("needs a schema", async () => {
    expect(await problems("relationships: ''\n")).toEqual(["f.yaml:1:1: the file has no `schema`"]);
  });

  it("accepts a file with only a schema, and empty lists", async () => {
    const report = await validateFile(
      "schema: definition user {}\nassertions:\n  assertTrue: []\nvalidation:\n",
    );
    expect(report).toEqual({ assertions: 0, validations: 0, problems: [] });
  });

  it("maps schema errors of a one-line schema to its line", async () => {
    expect(await problems("schema: 'definition user { relation x: nope }'\n")).toEqual([
      expect.stringMatching(/^f\.yaml:1:\d+: /),
      expect.stringMatching(/^f\.yaml:1:\d+: /),
    ]);
  });

  it("rejects values of the wrong shape", async () => {
    const source = [
      "schema: definition user {}",
      "assertions:",
      "  assertTrue: document:x#view@user:y",
      "  assertMaybe: []",
      "validation: []",
      "",
    ].join("\n");
    expect(await problems(source)).toEqual([
      "f.yaml:3:15: expected a list, each item an assertion",
      "f.yaml:4:3: unknown assertion list `assertMaybe`; expected assertTrue, assertFalse, assertCaveated",
      "f.yaml:5:13: validation is a map from `type:id#relation` to a list of expected subjects",
    ]);
  });
});
