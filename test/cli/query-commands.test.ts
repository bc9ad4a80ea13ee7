// `latch expand`, `latch lookup-resources` and `latch lookup-subjects` against a server in process.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliTestServer, startCliServer, TEST_SCHEMA } from "./cli-test-server.js";
import { runLatch } from "./run-cli-helper.js";

const RELATIONSHIPS = [
  "document:plan#parent@folder:eng",
  "document:spec#parent@folder:eng",
  "folder:eng#viewer@user:alice",
  "document:plan#viewer@group:eng#member",
  "group:eng#member@user:bob",
  "document:plan#banned@user:bob",
  "document:plan#viewer@user:carol[on_network]",
  "document:memo#viewer@user:*",
  "document:memo#banned@user:erin",
];

describe("latch expand and lookups against a server", () => {
  let server: CliTestServer;
  const latch = (args: string[]) =>
    runLatch(args, { "test.zed": TEST_SCHEMA }, { env: server.env });
  const jsonLines = (stdout: string) =>
    stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));

  beforeAll(async () => {
    server = await startCliServer();
    await latch(["schema", "write", "test.zed"]);
    expect((await latch(["rel", "write", ...RELATIONSHIPS])).exitCode).toBe(0);
  });
  afterAll(() => server.close());

  it("expand prints the tree, indented", async () => {
    const run = await latch(["expand", "document:plan#view"]);
    expect(run).toMatchObject({ exitCode: 0, stderr: "" });
    expect(run.stdout.split("\n")).toEqual([
      "document:plan#view (exclusion)",
      "  document:plan#view (union)",
      "    document:plan#viewer",
      "      group:eng#member",
      "        group:eng#member",
      "          user:bob",
      "      user:carol[on_network]",
      "    document:plan#view (parent->viewer)",
      "      document:plan#parent@folder:eng",
      "        folder:eng#viewer",
      "          user:alice",
      "  minus document:plan#banned",
      "    user:bob",
      "",
    ]);
  });

  it("expand --depth 1 stops at the resource's own sets; --json prints the API's tree", async () => {
    const shallow = await latch(["expand", "--depth", "1", "document:plan#viewer"]);
    expect(shallow.stdout).toBe(
      "document:plan#viewer\n  group:eng#member\n  user:carol[on_network]\n",
    );
    const json = await latch(["expand", "--json", "document:plan#viewer"]);
    const [line] = jsonLines(json.stdout);
    expect(line.token).toMatch(/^lt1_/);
    expect(line.tree).toMatchObject({
      object: { type: "document", id: "plan" },
      relation: "viewer",
      leaf: { subjects: expect.any(Array) },
    });
    const bad = await latch(["expand", "--depth", "0", "document:plan#viewer"]);
    expect(bad.exitCode).toBe(2);
  });

  it("lookup-resources prints the resources, conditional ones marked", async () => {
    const alice = await latch(["lookup-resources", "document#view@user:alice"]);
    expect(alice).toEqual({
      exitCode: 0,
      stdout: "document:memo\ndocument:plan\ndocument:spec\n",
      stderr: "",
    });
    const carol = await latch(["lookup-resources", "document#view@user:carol"]);
    expect(carol.stdout).toBe("document:memo\ndocument:plan (conditional on ip)\n");
    const json = await latch([
      "lookup-resources",
      "--json",
      "document#view@user:carol",
      "--context",
      '{"ip":"10.0.0.9"}',
    ]);
    expect(jsonLines(json.stdout)).toEqual([
      {
        resource: "document:memo",
        conditional: false,
        missingParameters: [],
        token: expect.stringMatching(/^lt1_/),
      },
      {
        resource: "document:plan",
        conditional: false,
        missingParameters: [],
        token: expect.stringMatching(/^lt1_/),
      },
    ]);
  });

  it("lookup-subjects prints the subjects, a wildcard with its exclusions", async () => {
    const plan = await latch(["lookup-subjects", "document:plan#view@user"]);
    expect(plan).toEqual({
      exitCode: 0,
      stdout: "user:alice\nuser:carol (conditional on ip)\n",
      stderr: "",
    });
    const memo = await latch(["lookup-subjects", "document:memo#view@user"]);
    expect(memo.stdout).toBe("user:* except user:erin\n");
    const json = await latch(["lookup-subjects", "--json", "document:memo#view@user"]);
    expect(jsonLines(json.stdout)).toEqual([
      {
        subject: "user:*",
        conditional: false,
        missingParameters: [],
        excluded: ["user:erin"],
        token: expect.stringMatching(/^lt1_/),
      },
    ]);
    const sets = await latch(["lookup-subjects", "document:plan#view@group#member"]);
    expect(sets.stdout).toBe("group:eng#member\n");
  });

  it("exits 2 on a lookup that does not parse", async () => {
    const run = await latch(["lookup-resources", "document:plan#view@user:alice"]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("at column 9");
    const subjects = await latch(["lookup-subjects", "document:plan#view@user:alice"]);
    expect(subjects.exitCode).toBe(2);
    expect(subjects.stderr).toContain("expected end of input after the subject type at column 24");
  });
});
