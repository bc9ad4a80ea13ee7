// `latch validate`, run in process over the scenario files and over broken copies made from them.

import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runLatch } from "../cli/run-cli-helper.js";

const SCENARIOS = readdirSync("test/validation")
  .filter((name) => name.endsWith(".yaml"))
  .sort()
  .map((name) => `test/validation/${name}`);
const ALL_FILES = [...SCENARIOS, "schema/agent.yaml"];

function read(path: string): string {
  return readFileSync(path, "utf8");
}

/** lineOf is the 1-based number of the first line of text that is exactly `line`, after the line `after`. */
function lineOf(text: string, line: string, after?: string): number {
  const lines = text.split("\n");
  const start = after === undefined ? 0 : lines.indexOf(after) + 1;
  const index = lines.indexOf(line, start);
  if (index < 0) throw new Error(`test setup: no line ${JSON.stringify(line)}`);
  return index + 1;
}

/** replaceOnce replaces the one occurrence of `from`, failing the test if there is not exactly one. */
function replaceOnce(text: string, from: string, to: string): string {
  const parts = text.split(from);
  if (parts.length !== 2)
    throw new Error(`test setup: ${JSON.stringify(from)} occurs ${parts.length - 1} times`);
  return parts.join(to);
}

/** moveAssertion moves an assertion line to the top of another assertion list. */
function moveAssertion(text: string, line: string, list: string): string {
  const without = replaceOnce(text, `${line}\n`, "");
  return replaceOnce(without, `  ${list}:\n`, `  ${list}:\n${line}\n`);
}

/** stderrLines splits stderr into lines, without the empty one after the last newline. */
function stderrLines(stderr: string): string[] {
  return stderr.split("\n").filter((line) => line !== "");
}

describe("latch validate on the scenario files", () => {
  it("passes every scenario and schema/agent.yaml, with a summary per file and a total", async () => {
    const run = await runLatch(["validate", ...ALL_FILES]);
    expect(run.stderr).toBe("");
    expect(run.exitCode).toBe(0);
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(ALL_FILES.length + 1);
    ALL_FILES.forEach((file, index) => {
      expect(lines[index]).toMatch(
        new RegExp(`^${file}: \\d+ assertions?, \\d+ validations?, ok$`),
      );
    });
    expect(lines.at(-1)).toMatch(
      new RegExp(`^total: ${ALL_FILES.length} files, \\d+ assertions, \\d+ validations, ok$`),
    );
  });

  it("counts the assertions and expected-relations entries of a file", async () => {
    const run = await runLatch(["validate", "test/validation/01-direct.yaml"]);
    expect(run).toEqual({
      exitCode: 0,
      stdout:
        "test/validation/01-direct.yaml: 15 assertions, 4 validations, ok\n" +
        "total: 1 file, 15 assertions, 4 validations, ok\n",
      stderr: "",
    });
  });
});

describe("latch validate --json", () => {
  it("prints one JSON line per file, with its counts and problems, and nothing on stderr", async () => {
    const source = read("test/validation/04-exclusion.yaml");
    const line = "    - document:plan#view@user:erin";
    const broken = moveAssertion(source, line, "assertTrue");
    const run = await runLatch(
      ["validate", "test/validation/01-direct.yaml", "04.yaml", "--json"],
      {
        "04.yaml": broken,
      },
    );
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toBe("");
    expect(
      run.stdout
        .trimEnd()
        .split("\n")
        .map((text) => JSON.parse(text)),
    ).toEqual([
      { file: "test/validation/01-direct.yaml", assertions: 15, validations: 4, problems: [] },
      {
        file: "04.yaml",
        assertions: expect.any(Number),
        validations: expect.any(Number),
        problems: [
          {
            line: lineOf(broken, line),
            column: 7,
            message: "assertTrue document:plan#view@user:erin: expected allowed, got denied",
            details: [
              "removed by document:plan#banned: document:plan#banned@group:contractors#member → group:contractors#member@user:erin",
            ],
          },
        ],
      },
    ]);
  });
});

describe("latch validate on failing assertions", () => {
  it("shows the chain of relationships that grants an access asserted false", async () => {
    const source = read("schema/agent.yaml");
    const line = "    - document:q3_report#edit@user:fiona";
    const broken = moveAssertion(source, line, "assertFalse");
    const run = await runLatch(["validate", "agent.yaml"], { "agent.yaml": broken });
    expect(run.exitCode).toBe(1);
    expect(stderrLines(run.stderr)).toEqual([
      `agent.yaml:${lineOf(broken, line)}:7: assertFalse document:q3_report#edit@user:fiona: expected denied, got allowed`,
      "  document:q3_report#parent@folder:finance_q3 → folder:finance_q3#parent@folder:finance → folder:finance#editor@group:finance_team#member → group:finance_team#member@user:fiona",
    ]);
    expect(run.stdout).toBe(
      "agent.yaml: 117 assertions, 10 validations, 1 failed\n" +
        "total: 1 file, 117 assertions, 10 validations, 1 failed\n",
    );
  });

  it("names the exclusion that removed the subject", async () => {
    const source = read("test/validation/04-exclusion.yaml");
    const line = "    - document:plan#view@user:erin";
    const broken = moveAssertion(source, line, "assertTrue");
    const run = await runLatch(["validate", "04.yaml"], { "04.yaml": broken });
    expect(stderrLines(run.stderr)).toEqual([
      `04.yaml:${lineOf(broken, line)}:7: assertTrue document:plan#view@user:erin: expected allowed, got denied`,
      "  removed by document:plan#banned: document:plan#banned@group:contractors#member → group:contractors#member@user:erin",
    ]);
  });

  it("names the missing side of an intersection", async () => {
    const source = read("test/validation/03-intersection.yaml");
    const line = "    - document:plan#view@user:bob";
    const broken = moveAssertion(source, line, "assertTrue");
    const run = await runLatch(["validate", "03.yaml"], { "03.yaml": broken });
    expect(stderrLines(run.stderr)).toEqual([
      `03.yaml:${lineOf(broken, line)}:7: assertTrue document:plan#view@user:bob: expected allowed, got denied`,
      "  no relationship document:plan#approved@user:bob",
    ]);
  });

  it("lists every way tried when nothing grants, through subject sets and arrows", async () => {
    const source = read("test/validation/07-nested-folders.yaml");
    const line = "    - document:notes#view@user:dave";
    const broken = moveAssertion(source, line, "assertTrue");
    const run = await runLatch(["validate", "07.yaml"], { "07.yaml": broken });
    expect(stderrLines(run.stderr)).toEqual([
      `07.yaml:${lineOf(broken, line)}:7: assertTrue document:notes#view@user:dave: expected allowed, got denied`,
      "  no relationship document:notes#viewer@user:dave",
      "  document:notes#parent@folder:shared →",
      "    no relationship folder:shared#viewer@user:dave",
      "    folder:shared#parent@folder:b →",
      "      no relationship folder:b#viewer@user:dave",
      "      folder:b#parent@folder:a →",
      "        no relationship folder:a#viewer@user:dave",
      "        folder:a#parent@folder:root → no relationship folder:root#viewer@user:dave",
      "    folder:shared#parent@folder:other → no relationship folder:other#viewer@user:dave",
    ]);
  });

  it("shows the caveat and its missing parameters for a conditional answer", async () => {
    const source = read("test/validation/10-caveat-context.yaml");
    const line = "    - document:plan#view@user:alice";
    const broken = moveAssertion(source, line, "assertTrue");
    const run = await runLatch(["validate", "10.yaml"], { "10.yaml": broken });
    expect(stderrLines(run.stderr)).toEqual([
      `10.yaml:${lineOf(broken, line)}:7: assertTrue document:plan#view@user:alice: expected allowed, got conditional (missing level)`,
      '  document:plan#viewer@user:alice[has_level:{"required":3}] (caveat has_level: missing level)',
    ]);
  });

  it("shows a caveat that is false, and the exclusion that may still remove a subject", async () => {
    const source = read("test/validation/13-caveats-under-exclusion.yaml");
    const falseLine = `    - 'document:plan#view@user:carol with {"day":"mon"}'`;
    const caveatedLine = "    - document:plan#view@user:alice";
    const broken = moveAssertion(
      moveAssertion(source, falseLine, "assertTrue"),
      caveatedLine,
      "assertFalse",
    );
    const run = await runLatch(["validate", "13.yaml"], { "13.yaml": broken });
    expect(stderrLines(run.stderr)).toEqual([
      `13.yaml:${lineOf(broken, falseLine)}:7: assertTrue document:plan#view@user:carol with {"day":"mon"}: expected allowed, got denied`,
      "  document:plan#viewer@user:carol[is_weekend] (caveat is_weekend: false)",
      `13.yaml:${lineOf(broken, caveatedLine)}:7: assertFalse document:plan#view@user:alice: expected denied, got conditional (missing leave)`,
      "  document:plan#viewer@user:alice",
      "  unless removed by document:plan#banned: document:plan#banned@user:alice[on_leave] (caveat on_leave: missing leave)",
    ]);
  });

  it("renders every branch of an intersection that grants", async () => {
    const source = read("test/validation/08-arrows.yaml");
    const line = "    - document:shared#view_checked@user:alice";
    const broken = moveAssertion(source, line, "assertFalse");
    const run = await runLatch(["validate", "08.yaml"], { "08.yaml": broken });
    expect(stderrLines(run.stderr)).toEqual([
      `08.yaml:${lineOf(broken, line)}:7: assertFalse document:shared#view_checked@user:alice: expected denied, got allowed`,
      "  all of:",
      "    document:shared#viewer@user:alice",
      "    document:shared#team@team:a → team:a#member@user:alice",
      "    document:shared#team@team:b → team:b#member@user:alice",
    ]);
  });

  it("reports an assertion that is not one, at the offending column", async () => {
    const source = read("test/validation/10-caveat-context.yaml");
    const from = `    - 'document:plan#view@user:alice with {"level":5}'`;
    const to = `    - 'document:plan#view@user:alice with {"level":}'`;
    const withCaveat = "    - document:plan#view@user:zoe[has_level]";
    const broken = replaceOnce(
      replaceOnce(source, from, to),
      "    - document:plan#view@user:zoe\n",
      `${withCaveat}\n`,
    );
    const run = await runLatch(["validate", "10.yaml"], { "10.yaml": broken });
    expect(stderrLines(run.stderr)).toEqual([
      `10.yaml:${lineOf(broken, to)}:43: assertTrue document:plan#view@user:alice with {"level":}: invalid caveat context: ${jsonError('{"level":}')}`,
      `10.yaml:${lineOf(broken, withCaveat)}:34: assertTrue document:plan#view@user:zoe[has_level]: an assertion cannot have a caveat or an expiration; give caveat context with \` with {...}\``,
    ]);
  });

  it("reports a check the engine rejects", async () => {
    const source = read("test/validation/01-direct.yaml");
    const line = "    - document:plan#view@robot:bob";
    const broken = replaceOnce(source, "  assertTrue:\n", `  assertTrue:\n${line}\n`);
    const run = await runLatch(["validate", "01.yaml"], { "01.yaml": broken });
    expect(stderrLines(run.stderr)).toEqual([
      `01.yaml:${lineOf(broken, line)}:7: assertTrue document:plan#view@robot:bob: subject.type: the schema has no definition 'robot'`,
    ]);
  });
});

describe("latch validate on failing expected relations", () => {
  it("reports a subject found but not expected, at the key, with the entry to add", async () => {
    const source = read("test/validation/02-union.yaml");
    const broken = replaceOnce(
      source,
      '    - "[user:dave] is <group:eng#member>"\n  document:plan#view:',
      "  document:plan#view:",
    );
    const run = await runLatch(["validate", "02.yaml"], { "02.yaml": broken });
    expect(run.exitCode).toBe(1);
    expect(stderrLines(run.stderr)).toEqual([
      `02.yaml:${lineOf(broken, "  document:plan#edit:")}:3: document:plan#edit: unexpected subject: "[user:dave] is <group:eng#member>"`,
    ]);
  });

  it("reports missing subjects and mismatched relations, caveats and exclusions at their entries", async () => {
    const source = read("test/validation/05-wildcard-exclusion.yaml");
    const edits: [string, string][] = [
      [
        '    - "[user:* - {user:mallory}] is <document:public#viewer>"',
        '    - "[user:*] is <document:public#viewer>"',
      ],
      [
        '    - "[user:carol] is <document:public#trusted>/<document:public#viewer>"',
        '    - "[user:carol] is <document:public#viewer>"',
      ],
      [
        '    - "[user:dan] is <document:public#trusted>"',
        '    - "[user:dan[...]] is <document:public#trusted>"',
      ],
      [
        '    - "[user:alice] is <document:secret#viewer>"',
        '    - "[user:alice] is <document:secret#viewer>"\n    - "[user:zed] is <document:secret#viewer>"',
      ],
    ];
    const broken = edits.reduce((text, [from, to]) => replaceOnce(text, from, to), source);
    const run = await runLatch(["validate", "05.yaml"], { "05.yaml": broken });
    const at = (line: string, key = "validation:") => `05.yaml:${lineOf(broken, line, key)}:7`;
    expect(stderrLines(run.stderr)).toEqual([
      `${at('    - "[user:*] is <document:public#viewer>"')}: document:public#view: user:* excludes {user:mallory}, expected {}`,
      `${at('    - "[user:carol] is <document:public#viewer>"', "  document:public#view_trusted:")}: document:public#view_trusted: user:carol is <document:public#trusted>/<document:public#viewer>, expected <document:public#viewer>`,
      `${at('    - "[user:dan[...]] is <document:public#trusted>"')}: document:public#view_trusted: user:dan is not caveated, expected caveated ([...])`,
      `${at('    - "[user:zed] is <document:secret#viewer>"')}: document:secret#view: missing expected subject user:zed`,
    ]);
    expect(run.stdout).toContain("05.yaml: 15 assertions, 4 validations, 4 failed\n");
  });

  it("reports a key the schema does not have and an entry that is not a subject", async () => {
    const source = read("test/validation/09-nil.yaml");
    const broken = replaceOnce(
      source,
      "  document:plan#nothing: []",
      '  document:plan#nothin: []\n  document:plan#view_minus_nil:\n    - "user:alice is <document:plan#viewer>"',
    ).replace(
      '  document:plan#view_minus_nil:\n    - "[user:alice] is <document:plan#viewer>"\n',
      "",
    );
    const run = await runLatch(["validate", "09.yaml"], { "09.yaml": broken });
    expect(stderrLines(run.stderr)).toEqual([
      `09.yaml:${lineOf(broken, "  document:plan#nothin: []")}:3: document:plan#nothin: relation: definition 'document' has no relation or permission 'nothin'`,
      `09.yaml:${lineOf(broken, '    - "user:alice is <document:plan#viewer>"')}:7: document:plan#view_minus_nil: expected \`[subject] is <type:id#relation>\`, got "user:alice is <document:plan#viewer>"`,
      `09.yaml:${lineOf(broken, "  document:plan#view_minus_nil:")}:3: document:plan#view_minus_nil: unexpected subject: "[user:alice] is <document:plan#viewer>"`,
    ]);
  });
});

describe("latch validate on bad relationships and schemas", () => {
  it("reports each relationship that does not parse or that the schema rejects, at its column", async () => {
    const source = read("test/validation/01-direct.yaml");
    const bad = [
      "folder:x#viewer@user:bob",
      "document:plan#viewr@user:bob",
      "document:plan#view@user:bob",
      "document:plan#viewer@robot:bob",
      "document:plan#viewer@user:bob#member",
      "document:plan#viewer@user:*",
      "document:plan#viewer@user:eve[some_caveat]",
      "document:plan#viewer@user:eve[expiration:2099-01-01T00:00:00Z]",
      "document:plan#viewer@",
      "document:plan#owner@user:alice",
    ];
    const broken = replaceOnce(
      source,
      "  document:memo#viewer@user:carol\n",
      `  document:memo#viewer@user:carol\n  // a comment, skipped\n\n${bad.map((line) => `  ${line}\n`).join("")}`,
    );
    const run = await runLatch(["validate", "01.yaml"], { "01.yaml": broken });
    expect(run.exitCode).toBe(1);
    const at = (line: string, column: number) =>
      `01.yaml:${lineOf(broken, `  ${line}`, "  // a comment, skipped")}:${column}`;
    const allows = "it allows user, agent";
    expect(stderrLines(run.stderr)).toEqual([
      `${at(bad[0]!, 3)}: relationship folder:x#viewer@user:bob is not valid: the schema has no definition 'folder'`,
      `${at(bad[1]!, 17)}: relationship document:plan#viewr@user:bob is not valid: definition 'document' has no relation or permission 'viewr'`,
      `${at(bad[2]!, 17)}: relationship document:plan#view@user:bob is not valid: 'view' is a permission of definition 'document'; relationships can only be written to relations`,
      `${at(bad[3]!, 24)}: relationship document:plan#viewer@robot:bob is not valid: the schema has no definition 'robot'`,
      `${at(bad[4]!, 24)}: relationship document:plan#viewer@user:bob#member is not valid: definition 'user' has no relation or permission 'member'`,
      `${at(bad[5]!, 24)}: relationship document:plan#viewer@user:* is not valid: document#viewer does not allow user:*; ${allows}`,
      `${at(bad[6]!, 32)}: relationship document:plan#viewer@user:eve[some_caveat] is not valid: document#viewer does not allow user with some_caveat; ${allows}`,
      `${at(bad[7]!, 32)}: relationship document:plan#viewer@user:eve[expiration:2099-01-01T00:00:00Z] is not valid: document#viewer does not allow user with expiration; ${allows}`,
      `${at(bad[8]!, 24)}: invalid relationship: expected a subject type at column 22, found end of input`,
      `${at(bad[9]!, 3)}: relationship document:plan#owner@user:alice repeats the one on line ${lineOf(broken, "  document:plan#owner@user:alice")}`,
    ]);
    expect(run.stdout).toContain("01.yaml: 15 assertions, 4 validations, 10 failed\n");
  });

  it("reports schema errors at their place in the YAML", async () => {
    const source = read("schema/agent.yaml");
    const line = "      relation member: user | agent | group#membr";
    const broken = replaceOnce(source, "      relation member: user | agent | group#member", line);
    const run = await runLatch(["validate", "agent.yaml"], { "agent.yaml": broken });
    expect(run.exitCode).toBe(1);
    const lines = stderrLines(run.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^agent\\.yaml:${lineOf(broken, line)}:45: definition 'group' has no relation or permission 'membr'`,
      ),
    );
  });

  it("reports YAML errors and unknown keys", async () => {
    const source = read("test/validation/09-nil.yaml");
    const typo = replaceOnce(source, "validation:\n", "validations:\n");
    const run = await runLatch(["validate", "typo.yaml", "bad.yaml"], {
      "typo.yaml": typo,
      "bad.yaml": "schema: [unclosed\n",
    });
    const lines = stderrLines(run.stderr);
    expect(lines[0]).toBe(
      `typo.yaml:${lineOf(typo, "validations:")}:1: unknown key \`validations\`; expected schema, relationships, assertions or validation`,
    );
    expect(lines[1]).toMatch(/^bad\.yaml:\d+:\d+: invalid YAML: /);
    expect(run.exitCode).toBe(1);
  });
});

describe("latch validate exit codes", () => {
  it("exits 2 for a file it cannot read, and still runs the others", async () => {
    const run = await runLatch(["validate", "/nonexistent/x.yaml", "test/validation/09-nil.yaml"]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/^\/nonexistent\/x\.yaml: cannot read: /);
    expect(run.stdout).toBe(
      "test/validation/09-nil.yaml: 7 assertions, 5 validations, ok\n" +
        "total: 2 files, 7 assertions, 5 validations, ok, 1 unreadable\n",
    );
  });

  it("needs at least one file", async () => {
    const run = await runLatch(["validate"]);
    expect(run.exitCode).not.toBe(0);
    expect(run.stderr).toContain("missing required argument");
  });
});

function jsonError(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("test setup: valid JSON");
}
