// `latch schema write|read` and `latch rel write|touch|delete|read` against a server in process.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliTestServer, startCliServer, TEST_SCHEMA } from "./cli-test-server.js";
import { runLatch } from "./run-cli-helper.js";

describe("latch schema and rel against a server", () => {
  let server: CliTestServer;
  const latch = (args: string[], stdin?: string) =>
    runLatch(
      args,
      { "test.zed": TEST_SCHEMA },
      { env: server.env, ...(stdin === undefined ? {} : { stdin }) },
    );

  beforeAll(async () => {
    server = await startCliServer();
  });
  afterAll(() => server.close());

  it("writes the schema and reads it back", async () => {
    const written = await latch(["schema", "write", "test.zed"]);
    expect(written).toMatchObject({ exitCode: 0, stderr: "" });
    expect(written.stdout).toMatch(/^schema written \(token lt1_\S+\)\n$/);
    const read = await latch(["schema", "read", "--json"]);
    expect(read.exitCode).toBe(0);
    const json = JSON.parse(read.stdout);
    expect(json).toEqual({ schema: TEST_SCHEMA, token: expect.stringMatching(/^lt1_/) });
    expect((await latch(["schema", "read"])).stdout).toBe(TEST_SCHEMA);
    const fromStdin = await latch(["schema", "write", "--json", "-"], TEST_SCHEMA);
    expect(JSON.parse(fromStdin.stdout)).toEqual({ token: expect.stringMatching(/^lt1_/) });
  });

  it("writes, touches, reads and deletes relationships", async () => {
    const write = await latch([
      "rel",
      "write",
      "document:plan#viewer@user:alice",
      "document:plan#viewer@user:bob[expiration:2030-01-01T00:00:00Z]",
    ]);
    expect(write).toMatchObject({ exitCode: 0, stderr: "" });
    expect(write.stdout).toMatch(/^created 2 relationships \(token lt1_\S+\)\n$/);

    const again = await latch(["rel", "write", "document:plan#viewer@user:alice"]);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toMatch(/^ALREADY_EXISTS: /);

    const touch = await latch([
      "rel",
      "touch",
      "--json",
      'document:plan#viewer@user:alice[on_network:{"ip":"10.1.2.3"}]',
    ]);
    expect(touch.exitCode).toBe(0);
    expect(JSON.parse(touch.stdout)).toEqual({ token: expect.stringMatching(/^lt1_/) });

    const read = await latch(["rel", "read", "document:plan#viewer"]);
    expect(read).toMatchObject({ exitCode: 0, stderr: "" });
    expect(read.stdout.split("\n")).toEqual([
      'document:plan#viewer@user:alice[on_network:{"ip":"10.1.2.3"}]',
      "document:plan#viewer@user:bob[expiration:2030-01-01T00:00:00Z]",
      "",
    ]);

    const deleted = await latch(["rel", "delete", "--json", "document:plan#viewer@user:bob"]);
    expect(deleted.exitCode).toBe(0);
    const { token } = JSON.parse(deleted.stdout);
    const after = await latch([
      "rel",
      "read",
      "--json",
      "--consistency",
      `at_least_as_fresh=${token}`,
      "document",
    ]);
    expect(
      after.stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line)),
    ).toEqual([
      {
        relationship: 'document:plan#viewer@user:alice[on_network:{"ip":"10.1.2.3"}]',
        token: expect.stringMatching(/^lt1_/),
      },
    ]);
  });

  it("reports how many relationships a delete found, and a delete of none takes no revision", async () => {
    await latch(["rel", "touch", "document:gone#viewer@user:alice"]);
    const deleted = await latch([
      "rel",
      "delete",
      "document:gone#viewer@user:alice",
      "document:gone#viewer@user:nobody",
    ]);
    expect(deleted).toMatchObject({ exitCode: 0, stderr: "" });
    expect(deleted.stdout).toMatch(/^deleted 1 relationship \(token lt1_\S+\)\n$/);
    const again = await latch(["rel", "delete", "document:gone#viewer@user:alice"]);
    expect(again.stdout).toMatch(/^deleted 0 relationships \(token lt1_\S+\)\n$/);
    const token = (run: { stdout: string }) => /token (\S+)\)/.exec(run.stdout)?.[1];
    expect(token(again)).toBe(token(deleted));
  });

  it("reads relationships from standard input with -, one a line", async () => {
    const stdin = "group:eng#member@user:carol\n\n// a comment\ngroup:eng#member@user:dave\n";
    const write = await latch(["rel", "touch", "-", "group:ops#member@user:erin"], stdin);
    expect(write.stdout).toMatch(/^touched 3 relationships/);
    const read = await latch(["rel", "read", "group#member@user:dave"]);
    expect(read.stdout).toBe("group:eng#member@user:dave\n");
    const bySubjectType = await latch(["rel", "read", "group:ops#member@user"]);
    expect(bySubjectType.stdout).toBe("group:ops#member@user:erin\n");
    await latch(["rel", "touch", "group:eng#member@group:ops#member"]);
    const objects = await latch(["rel", "read", "group#member@group#..."]);
    expect(objects.stdout).toBe("");
    const sets = await latch(["rel", "read", "group:eng#member@group#member"]);
    expect(sets.stdout).toBe("group:eng#member@group:ops#member\n");
    const bySubjectSet = await latch(["rel", "read", "@group#member"]);
    expect(bySubjectSet).toEqual({
      exitCode: 0,
      stdout: "group:eng#member@group:ops#member\n",
      stderr: "",
    });
    const bySubject = await latch(["rel", "read", "@user:dave"]);
    expect(bySubject.stdout).toBe("group:eng#member@user:dave\n");
    const noSubject = await latch(["rel", "read", "@"]);
    expect(noSubject.exitCode).toBe(2);
    expect(noSubject.stderr).toContain("expected a subject type at column 2, found end of input");
  });

  it("deletes by filter, printing how many, and refuses relationships and a filter together", async () => {
    await latch(["rel", "touch", "group:qa#member@user:ann", "group:qa#member@user:bob"]);
    const deleted = await latch(["rel", "delete", "--filter", "group:qa#member@user:ann"]);
    expect(deleted).toMatchObject({ exitCode: 0, stderr: "" });
    expect(deleted.stdout).toMatch(/^deleted 1 relationship \(token lt1_\S+\)\n$/);
    const json = await latch(["rel", "delete", "--json", "--filter", "group:qa"]);
    expect(JSON.parse(json.stdout)).toEqual({ deleted: 1, token: expect.stringMatching(/^lt1_/) });
    expect((await latch(["rel", "read", "group:qa"])).stdout).toBe("");
    const usage = "rel delete takes relationships or --filter FILTER, not both or neither\n";
    expect(await latch(["rel", "delete"])).toEqual({ exitCode: 2, stdout: "", stderr: usage });
    expect(
      await latch(["rel", "delete", "--filter", "group:qa", "group:qa#member@user:ann"]),
    ).toEqual({ exitCode: 2, stdout: "", stderr: usage });
  });

  it("prints the column of a relationship that does not parse, and exits 2", async () => {
    const run = await latch(["rel", "write", "document:plan@user:alice"]);
    expect(run).toEqual({
      exitCode: 2,
      stdout: "",
      stderr: [
        `invalid relationship "document:plan@user:alice": expected '#' after the resource id at column 14, found '@'`,
        "  document:plan@user:alice",
        "               ^",
        "",
      ].join("\n"),
    });
    const stdin = "group:eng#member@user:carol\ngroup:eng#member@user:\n";
    const fromStdin = await latch(["rel", "write", "-"], stdin);
    expect(fromStdin.exitCode).toBe(2);
    expect(fromStdin.stderr).toBe(
      "stdin:2:23: invalid relationship: expected a subject id after ':' at column 23, found end of input\n",
    );
  });

  it("reports the server's INVALID_ARGUMENT for a type the schema lacks, and exits 2", async () => {
    const run = await latch(["rel", "write", "doc:plan#viewer@user:alice"]);
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/^INVALID_ARGUMENT: .*doc/);
  });

  it("reports a server that does not answer as UNAVAILABLE, exit code 2", async () => {
    const run = await runLatch(["schema", "read"], {}, { env: { LATCH_ENDPOINT: "127.0.0.1:1" } });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/^UNAVAILABLE: .*is a Latch server listening at 127\.0\.0\.1:1\?/);
  });

  it("reports a usage error with exit code 2", async () => {
    expect((await latch(["nonsense"])).exitCode).toBe(2);
    const run = await latch(["rel", "read"]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("missing required argument 'filter'");
    const badConsistency = await latch(["rel", "read", "document", "--consistency", "soon"]);
    expect(badConsistency.exitCode).toBe(2);
    expect(badConsistency.stderr).toContain("expected minimize_latency, fully_consistent");
  });
});
