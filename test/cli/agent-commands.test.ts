// `latch suspend`, `resume`, `suspensions`, and `check` / `lookup-resources` with --actor, against a server in process.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AGENT_SCHEMA } from "../agents/agent-schema.js";
import { type CliTestServer, startCliServer } from "./cli-test-server.js";
import { runLatch } from "./run-cli-helper.js";

const RELATIONSHIPS = [
  "agent:bot#owner@user:alice",
  "document:plan#viewer@user:alice",
  "document:plan#viewer@agent:bot",
  "document:memo#viewer@user:alice",
  "document:notes#viewer@agent:bot",
  "document:notes#viewer@user:alice",
];

/** TIME matches an RFC 3339 time as the CLI prints it. */
const TIME = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z";
const TOKEN = "lt1_[A-Za-z0-9_-]+";

/**
 * useAgentServer serves AGENT_SCHEMA and RELATIONSHIPS, on a server of its own, for the enclosing
 * describe block, and returns a runner of `latch ...args` against it, which may read files.
 */
function useAgentServer(files: Record<string, string> = {}) {
  let server: CliTestServer;
  const latch = (...args: string[]) =>
    runLatch(args, { "agents.zed": AGENT_SCHEMA, ...files }, { env: server.env });
  beforeAll(async () => {
    server = await startCliServer();
    expect((await latch("schema", "write", "agents.zed")).exitCode).toBe(0);
    expect((await latch("rel", "touch", ...RELATIONSHIPS)).exitCode).toBe(0);
  });
  afterAll(() => server.close());
  return latch;
}

describe("latch suspend, resume and suspensions", () => {
  const latch = useAgentServer();

  it("suspends, lists and resumes, as text and as JSON", async () => {
    const suspended = await latch("suspend", "agent:bot", "--reason", "leaked token");
    expect(suspended.exitCode).toBe(0);
    expect(suspended.stdout).toMatch(new RegExp(`^suspended agent:bot \\(token ${TOKEN}\\)\\n$`));
    const forAnHour = await latch(
      "suspend",
      "agent:*",
      "--reason",
      "drill",
      "--for",
      "1h",
      "--json",
    );
    const json = JSON.parse(forAnHour.stdout);
    expect(json).toMatchObject({ subject: "agent:*", reason: "drill", suspendedBy: "development" });
    const lasts = Date.parse(json.expiresAt) - Date.parse(json.suspendedAt);
    expect(lasts).toBeGreaterThan(3_590_000);
    expect(lasts).toBeLessThanOrEqual(3_600_000);

    const listed = await latch("suspensions", "--consistency", "fully_consistent");
    expect(listed.stdout.split("\n")).toEqual([
      expect.stringMatching(
        new RegExp(`^agent:\\* by development since ${TIME} until ${TIME}: drill$`),
      ),
      expect.stringMatching(new RegExp(`^agent:bot by development since ${TIME}: leaked token$`)),
      "",
    ]);
    const listedJson = await latch("suspensions", "--json", "--consistency", "fully_consistent");
    expect(
      listedJson.stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line).subject),
    ).toEqual(["agent:*", "agent:bot"]);

    const resumed = await latch("resume", "agent:*");
    expect(resumed.stdout).toMatch(new RegExp(`^resumed agent:\\* \\(token ${TOKEN}\\)\\n$`));
    expect(JSON.parse((await latch("resume", "--json", "agent:bot")).stdout)).toMatchObject({
      subject: "agent:bot",
    });
    const again = await latch("resume", "agent:bot");
    expect(again).toMatchObject({ exitCode: 2, stdout: "" });
    expect(again.stderr).toBe(
      "NOT_FOUND: subject: agent:bot is not suspended (ListSuspensions lists those that are)\n",
    );
    expect((await latch("suspensions", "--consistency", "fully_consistent")).stdout).toBe("");
  });

  it("refuses what it cannot send, and says what the server refused: exit code 2", async () => {
    const noReason = await latch("suspend", "agent:bot");
    expect(noReason.exitCode).toBe(2);
    expect(noReason.stderr).toContain("required option '--reason <text>' not specified");
    const badDuration = await latch("suspend", "agent:bot", "--reason", "x", "--for", "5x");
    expect(badDuration.exitCode).toBe(2);
    expect(badDuration.stderr).toContain("unknown unit 'x'");
    const badSubject = await latch("suspend", "agent bot", "--reason", "x");
    expect(badSubject.exitCode).toBe(2);
    expect(badSubject.stderr).toContain('invalid subject "agent bot"');
    const unknownType = await latch("suspend", "ghost:x", "--reason", "x");
    expect(unknownType).toMatchObject({
      exitCode: 2,
      stderr: "INVALID_ARGUMENT: subject.object.type: the schema has no definition 'ghost'\n",
    });
  });
});

describe("latch suspensions over many pages", () => {
  const note = `[latch/suspension_note:{"reason":"bulk","suspended_by":"import","suspended_at":"2025-01-01T00:00:00Z"}]`;
  const ids = Array.from({ length: 2_345 }, (_, i) => `a${10_000 + i}`);
  const lines = ids.map((id) => `latch/suspension:all#suspended@agent:${id}${note}`);
  const latch = useAgentServer({ "suspensions.txt": lines.join("\n") });

  it("lists every suspension, in subject order, all of one revision", async () => {
    expect((await latch("import", "suspensions.txt")).exitCode).toBe(0);
    const listed = await latch("suspensions", "--json", "--consistency", "fully_consistent");
    expect(listed.exitCode).toBe(0);
    const rows = listed.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(rows.map((row) => row.subject)).toEqual(ids.map((id) => `agent:${id}`));
    expect(new Set(rows.map((row) => row.token)).size).toBe(1);
  });
});

describe("latch check and lookup-resources with --actor", () => {
  const latch = useAgentServer();

  const check = (...args: string[]) => latch("check", ...args, "--consistency", "fully_consistent");

  it("answers for the chain, and says who in it failed and why", async () => {
    const allowed = await check("document:plan#view@user:alice", "--actor", "agent:bot");
    expect(allowed.exitCode).toBe(0);
    expect(allowed.stdout).toMatch(/^allowed \(token /);

    const noPermission = await check("document:memo#view@user:alice", "--actor", "agent:bot");
    expect(noPermission.exitCode).toBe(1);
    expect(noPermission.stdout).toMatch(/^denied: agent:bot has no view on document:memo \(token /);

    const bobLacks = await check("document:plan#view@user:bob", "--actor", "agent:bot");
    expect(bobLacks.stdout).toMatch(/^denied: user:bob has no view on document:plan \(token /);
    await latch("rel", "touch", "document:plan#viewer@user:bob");
    const stranger = await check("document:plan#view@user:bob", "--actor", "agent:bot");
    expect(stranger.stdout).toMatch(/^denied: agent:bot may not act for user:bob \(token /);

    await latch("suspend", "agent:bot", "--reason", "incident");
    const suspended = await check(
      "document:plan#view@user:alice",
      "--actor",
      "agent:bot",
      "--json",
    );
    expect(suspended.exitCode).toBe(1);
    expect(JSON.parse(suspended.stdout)).toMatchObject({
      result: "denied",
      deniedBy: "agent:bot",
      reason: "suspended",
    });
    const asSubject = await check("document:plan#view@agent:bot");
    expect(asSubject.stdout).toMatch(/^denied: agent:bot is suspended \(token /);
    await latch("resume", "agent:bot");

    const plain = await check("document:memo#view@user:bob", "--json");
    expect(Object.keys(JSON.parse(plain.stdout))).toEqual(["result", "token"]);
    const badActor = await check("document:plan#view@user:alice", "--actor", "agent:");
    expect(badActor.exitCode).toBe(2);
    expect(badActor.stderr).toContain('invalid actor "agent:"');
  });

  it("looks up only the resources every member of the chain may use", async () => {
    const alone = await latch("lookup-resources", "document#view@user:alice");
    expect(alone.stdout).toBe("document:memo\ndocument:notes\ndocument:plan\n");
    const withBot = await latch(
      "lookup-resources",
      "document#view@user:alice",
      "--actor",
      "agent:bot",
    );
    expect(withBot.stdout).toBe("document:notes\ndocument:plan\n");
  });
});
