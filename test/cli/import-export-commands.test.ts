// `latch import` and `latch export` against a server in process: a round trip, YAML, errors.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliTestServer, startCliServer, TEST_SCHEMA } from "./cli-test-server.js";
import { runLatch } from "./run-cli-helper.js";

const RELATIONSHIPS = [
  "document:plan#banned@user:erin",
  "document:plan#parent@folder:eng",
  'document:plan#viewer@user:carol[on_network:{"ip":"10.0.0.1"}]',
  "document:plan#viewer@user:dave[expiration:2030-01-01T00:00:00Z]",
  "folder:eng#viewer@user:alice",
  "group:eng#member@group:ops#member",
];

describe("latch import and export against a server", () => {
  let server: CliTestServer;
  const latch = (args: string[], files: Record<string, string> = {}, stdin?: string) =>
    runLatch(
      args,
      { "test.zed": TEST_SCHEMA, ...files },
      { env: server.env, ...(stdin === undefined ? {} : { stdin }) },
    );

  beforeAll(async () => {
    server = await startCliServer();
    await latch(["schema", "write", "test.zed"]);
  });
  afterAll(() => server.close());

  it("imports a file and exports it back, one relationship a line", async () => {
    const file = `// every kind of relationship\n${RELATIONSHIPS.join("\n")}\n\n`;
    const imported = await latch(["import", "rels.txt"], { "rels.txt": file });
    expect(imported).toMatchObject({ exitCode: 0, stderr: "" });
    expect(imported.stdout).toMatch(/^imported 6 relationships \(token lt1_\S+\)\n$/);
    const exported = await latch(["export"]);
    expect(exported).toEqual({ exitCode: 0, stdout: `${RELATIONSHIPS.join("\n")}\n`, stderr: "" });
    const filtered = await latch(["export", "--filter", "document:plan#viewer", "--json"]);
    const lines = filtered.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => line.relationship)).toEqual(RELATIONSHIPS.slice(2, 4));
    expect(lines[0].token).toMatch(/^lt1_/);
  });

  it("imports standard input and the relationships of a validation file", async () => {
    const stdin = await latch(["import", "--json", "-"], {}, "document:memo#viewer@user:*\n");
    expect(JSON.parse(stdin.stdout)).toEqual({
      imported: 1,
      token: expect.stringMatching(/^lt1_/),
    });
    const yaml = `schema: |-\n  definition user {}\nrelationships: |-\n  document:yaml#viewer@user:frank\n  document:yaml#viewer@user:gina\n`;
    const fromYaml = await latch(["import", "scenario.yaml"], { "scenario.yaml": yaml });
    expect(fromYaml.stdout).toMatch(/^imported 2 relationships/);
    const exported = await latch(["export", "--filter", "document:yaml"]);
    expect(exported.stdout).toBe(
      "document:yaml#viewer@user:frank\ndocument:yaml#viewer@user:gina\n",
    );
  });

  it("leaves out relationships that have already expired, and says how many", async () => {
    const file = [
      "document:old#viewer@user:ivy[expiration:2020-01-01T00:00:00Z]",
      "document:old#viewer@user:jon[expiration:2099-01-01T00:00:00Z]",
      "document:old#viewer@user:kim",
    ].join("\n");
    const run = await latch(["import", "old.txt"], { "old.txt": file });
    expect(run).toMatchObject({ exitCode: 0, stderr: "" });
    expect(run.stdout).toMatch(
      /^imported 2 relationships, left out 1 already expired \(token lt1_\S+\)\n$/,
    );
    const yaml = `relationships: |-\n  ${file.replaceAll("\n", "\n  ")}\n`;
    const json = await latch(["import", "--json", "old.yaml"], { "old.yaml": yaml });
    expect(JSON.parse(json.stdout)).toEqual({
      imported: 2,
      expired: 1,
      token: expect.stringMatching(/^lt1_/),
    });
    expect((await latch(["export", "--filter", "document:old"])).stdout).toBe(
      "document:old#viewer@user:jon[expiration:2099-01-01T00:00:00Z]\ndocument:old#viewer@user:kim\n",
    );
  });

  it("imports nothing when a line does not parse, naming the file, line and column", async () => {
    const file = "document:bad#viewer@user:hal\ndocument:bad#viewer@user:\n  document:bad#viewr\n";
    const run = await latch(["import", "bad.txt"], { "bad.txt": file });
    expect(run).toEqual({
      exitCode: 2,
      stdout: "",
      stderr: [
        "bad.txt:2:26: invalid relationship: expected a subject id after ':' at column 26, found end of input",
        "bad.txt:3:21: invalid relationship: expected '@' after the relation at column 19, found end of input",
        "",
      ].join("\n"),
    });
    const yaml = "relationships: |-\n  document:bad#viewer@user:hal\n  document:bad@user:ian\n";
    const fromYaml = await latch(["import", "bad.yaml"], { "bad.yaml": yaml });
    expect(fromYaml.stderr).toBe(
      "bad.yaml:3:15: invalid relationship: expected '#' after the resource id at column 13, found '@'\n",
    );
    expect((await latch(["export", "--filter", "document:bad"])).stdout).toBe("");
  });

  it("exits 2 with the server's error when a relationship does not fit the schema", async () => {
    const run = await latch(["import", "-"], {}, "document:x#owner@user:jo\n");
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/^INVALID_ARGUMENT: relationships\[0\]/);
  });
});
