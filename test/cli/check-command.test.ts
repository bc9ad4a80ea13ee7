// `latch check` against a server in process: results, exit codes, --json, --explain, --context, --consistency.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliTestServer, startCliServer, TEST_SCHEMA } from "./cli-test-server.js";
import { runLatch } from "./run-cli-helper.js";

const RELATIONSHIPS = [
  "document:plan#parent@folder:eng",
  "folder:eng#viewer@user:alice",
  "document:plan#viewer@group:eng#member",
  "group:eng#member@user:bob",
  "document:plan#banned@user:bob",
  "document:plan#viewer@user:carol[on_network]",
];

describe("latch check against a server", () => {
  let server: CliTestServer;
  let written: string;
  const latch = (args: string[]) =>
    runLatch(args, { "test.zed": TEST_SCHEMA }, { env: server.env });

  beforeAll(async () => {
    server = await startCliServer();
    expect((await latch(["schema", "write", "test.zed"])).exitCode).toBe(0);
    const write = await latch(["rel", "write", "--json", ...RELATIONSHIPS]);
    expect(write.stderr).toBe("");
    written = JSON.parse(write.stdout).token;
  });
  afterAll(() => server.close());

  it("exits 0 when allowed, 1 when denied or conditional", async () => {
    const allowed = await latch(["check", "document:plan#view@user:alice"]);
    expect(allowed).toEqual({ exitCode: 0, stdout: `allowed (token ${written})\n`, stderr: "" });
    const denied = await latch(["check", "document:plan#view@user:bob"]);
    expect(denied).toEqual({ exitCode: 1, stdout: `denied (token ${written})\n`, stderr: "" });
    const conditional = await latch(["check", "document:plan#view@user:carol"]);
    expect(conditional).toEqual({
      exitCode: 1,
      stdout: `conditional on ip (token ${written})\n`,
      stderr: "",
    });
  });

  it("passes --context to caveats", async () => {
    const inside = await latch([
      "check",
      "document:plan#view@user:carol",
      "--context",
      '{"ip":"10.1.1.1"}',
    ]);
    expect(inside.exitCode).toBe(0);
    const outside = await latch([
      "check",
      "document:plan#view@user:carol",
      "--context",
      '{"ip":"192.168.0.1"}',
    ]);
    expect(outside.exitCode).toBe(1);
    const notObject = await latch(["check", "document:plan#view@user:carol", "--context", "[1]"]);
    expect(notObject.exitCode).toBe(2);
    expect(notObject.stderr).toContain("expected a JSON object");
  });

  it("prints one JSON object with --json", async () => {
    const allowed = await latch(["check", "--json", "document:plan#view@user:alice"]);
    expect(JSON.parse(allowed.stdout)).toEqual({ result: "allowed", token: written });
    const denied = await latch(["check", "--json", "document:plan#view@user:bob"]);
    expect(JSON.parse(denied.stdout)).toEqual({ result: "denied", token: written });
    expect(denied.exitCode).toBe(1);
    const conditional = await latch(["check", "--json", "document:plan#view@user:carol"]);
    expect(JSON.parse(conditional.stdout)).toEqual({
      result: "conditional",
      token: written,
      missingParameters: ["ip"],
    });
  });

  it("renders the proof with --explain, and includes the API's tree with --json", async () => {
    const allowed = await latch(["check", "--explain", "document:plan#view@user:alice"]);
    expect(allowed.stdout).toBe(
      `allowed (token ${written})\n  document:plan#parent@folder:eng → folder:eng#viewer@user:alice\n`,
    );
    const denied = await latch(["check", "--explain", "document:plan#view@user:bob"]);
    expect(denied.stdout).toBe(
      `denied (token ${written})\n  removed by document:plan#banned: document:plan#banned@user:bob\n`,
    );
    const conditional = await latch(["check", "--explain", "document:plan#view@user:carol"]);
    expect(conditional.stdout).toBe(
      `conditional on ip (token ${written})\n  document:plan#viewer@user:carol[on_network] (caveat on_network: missing ip)\n`,
    );
    const json = await latch(["check", "--json", "--explain", "document:plan#view@user:dave"]);
    const { explanation } = JSON.parse(json.stdout);
    expect(explanation).toMatchObject({
      kind: "KIND_EXCLUSION",
      object: { type: "document", id: "plan" },
      relation: "view",
      result: "CHECK_RESULT_DENIED",
    });
  });

  it("reads at the revision --consistency names", async () => {
    const deleted = await latch(["rel", "delete", "--json", "folder:eng#viewer@user:alice"]);
    const after = JSON.parse(deleted.stdout).token;
    const fresh = await latch([
      "check",
      "--consistency",
      `at_least_as_fresh=${after}`,
      "document:plan#view@user:alice",
    ]);
    expect(fresh).toMatchObject({ exitCode: 1, stdout: `denied (token ${after})\n` });
    const before = await latch([
      "check",
      "--consistency",
      `at_exact_snapshot=${written}`,
      "document:plan#view@user:alice",
    ]);
    expect(before).toMatchObject({ exitCode: 0, stdout: `allowed (token ${written})\n` });
    const full = await latch([
      "check",
      "--consistency",
      "fully_consistent",
      "document:plan#view@user:alice",
    ]);
    expect(full.exitCode).toBe(1);
    await latch(["rel", "touch", "folder:eng#viewer@user:alice"]);
  });

  it("exits 2 with the column of a check that does not parse, or the server's error", async () => {
    const run = await latch(["check", "document:plan#view@user"]);
    expect(run).toEqual({
      exitCode: 2,
      stdout: "",
      stderr: [
        `invalid check "document:plan#view@user": expected ':' after the subject type at column 24, found end of input`,
        "  document:plan#view@user",
        "                         ^",
        "",
      ].join("\n"),
    });
    const withCaveat = await latch(["check", "document:plan#view@user:carol[on_network]"]);
    expect(withCaveat.exitCode).toBe(2);
    expect(withCaveat.stderr).toContain("without a caveat or expiration");
    const unknown = await latch(["check", "document:plan#edit@user:alice"]);
    expect(unknown).toEqual({
      exitCode: 2,
      stdout: "",
      stderr:
        "INVALID_ARGUMENT: permission: definition 'document' has no relation or permission 'edit'\n",
    });
    const badToken = await latch([
      "check",
      "--consistency",
      "at_exact_snapshot=nope",
      "document:plan#view@user:alice",
    ]);
    expect(badToken.exitCode).toBe(2);
    expect(badToken.stderr).toMatch(/^INVALID_ARGUMENT: /);
  });
});

describe("latch check against a server with LATCH_REQUESTABLE", () => {
  let server: CliTestServer;
  const latch = (args: string[]) =>
    runLatch(args, { "test.zed": TEST_SCHEMA }, { env: server.env });

  beforeAll(async () => {
    server = await startCliServer([], ["document#viewer"]);
    expect((await latch(["schema", "write", "test.zed"])).exitCode).toBe(0);
  });
  afterAll(() => server.close());

  it("lists what the denied subject may request, in text and --json", async () => {
    const denied = await latch(["check", "document:plan#view@user:dave"]);
    expect(denied.exitCode).toBe(1);
    expect(denied.stdout).toMatch(
      /^denied: user:dave has no view on document:plan; requestable: document:plan#viewer@user:dave \(token \S+\)\n$/,
    );
    const json = JSON.parse(
      (await latch(["check", "--json", "document:plan#view@user:dave"])).stdout,
    );
    expect(json).toMatchObject({
      result: "denied",
      deniedBy: "user:dave",
      reason: "no-permission",
      requestable: ["document:plan#viewer@user:dave"],
    });
  });
});
