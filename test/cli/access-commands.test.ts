// `latch access request|list|tail|get|approve|deny|cancel|revoke`, against a server in process.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../support/wait-for.js";
import { type CliTestServer, startCliServer } from "./cli-test-server.js";
import { runLatch, startLatch } from "./run-cli-helper.js";

const SCHEMA = `use expiration

definition user {}

definition agent {}

definition document {
  relation owner: user | agent
  relation editor: user | agent with expiration
  permission edit = owner + editor
}
`;

const ID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const TOKEN = "lt1_[A-Za-z0-9_-]+";
const TIME = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z";

describe("latch access", () => {
  let server: CliTestServer;
  const latch = (...args: string[]) =>
    runLatch(args, { "documents.zed": SCHEMA }, { env: server.env });
  /** request asks, as JSON, that agent:bot edit document:DOC for 2h, and returns the request. */
  const request = async (doc: string) => {
    const asked = await latch(
      "access",
      "request",
      `document:${doc}#editor@agent:bot`,
      "--for",
      "2h",
      "--justification",
      `fix ${doc}`,
      "--actor",
      "user:alice",
      "--json",
    );
    expect(asked.exitCode).toBe(0);
    return JSON.parse(asked.stdout) as Record<string, unknown> & { id: string };
  };
  const edit = (doc: string) =>
    latch("check", `document:${doc}#edit@agent:bot`, "--consistency", "fully_consistent");

  beforeAll(async () => {
    server = await startCliServer();
    expect((await latch("schema", "write", "documents.zed")).exitCode).toBe(0);
  });
  afterAll(() => server.close());

  it("requests, lists, approves for less than asked, and revokes", async () => {
    const asked = await request("q3");
    expect(asked.id).toMatch(new RegExp(`^${ID}$`));
    expect(asked).toMatchObject({
      status: "pending",
      relationship: "document:q3#editor@agent:bot",
      durationMs: 7_200_000,
      justification: "fix q3",
      actors: ["user:alice"],
      requestedBy: "development",
    });
    const listed = await latch(
      "access",
      "list",
      "--status",
      "pending",
      "--resource",
      "document:q3",
    );
    expect(listed.stdout).toMatch(
      new RegExp(
        `^${asked.id} pending document:q3#editor@agent:bot for 7200s by development: fix q3\\n$`,
      ),
    );
    expect((await edit("q3")).stdout).toMatch(/^denied/);

    const approved = await latch("access", "approve", asked.id, "--for", "1h", "--note", "ok");
    expect(approved.exitCode).toBe(0);
    expect(approved.stdout).toMatch(
      new RegExp(
        `^${asked.id} approved document:q3#editor@agent:bot for 7200s by development: fix q3; approved by development: ok; until ${TIME} \\(token ${TOKEN}\\)\\n$`,
      ),
    );
    expect((await edit("q3")).stdout).toMatch(/^allowed/);
    const got = JSON.parse((await latch("access", "get", asked.id, "--json")).stdout);
    const lasts = Date.parse(got.grantExpiresAt) - Date.parse(got.decidedAt);
    expect(lasts).toBeGreaterThan(3_590_000);
    expect(lasts).toBeLessThanOrEqual(3_600_000);

    const revoked = await latch("access", "revoke", asked.id, "--note", "done", "--json");
    expect(JSON.parse(revoked.stdout)).toMatchObject({ status: "revoked", note: "done" });
    expect((await edit("q3")).stdout).toMatch(/^denied/);
  });

  it("denies and cancels; a second decision fails with the request's state", async () => {
    const denied = await request("deny");
    expect((await latch("access", "deny", denied.id, "--note", "no")).stdout).toMatch(
      new RegExp(`^${denied.id} denied .*; denied by development: no\\n$`),
    );
    const cancelled = await request("cancel");
    expect((await latch("access", "cancel", cancelled.id)).stdout).toMatch(
      new RegExp(`^${cancelled.id} cancelled `),
    );
    const again = await latch("access", "approve", denied.id);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain(
      `request ${denied.id} for document:deny#editor@agent:bot is denied`,
    );
    const listed = await latch("access", "list", "--status", "denied");
    expect(listed.stdout.trim().split("\n")).toHaveLength(1);
  });

  it("tails requests as they are made, filtered, until interrupted", async () => {
    const tail = startLatch(
      ["access", "tail", "--resource", "document:tail", "--json"],
      {},
      { env: server.env },
    );
    let printed = false;
    const first = tail.waitForStdout(1).then((lines) => {
      printed = true;
      return lines;
    });
    // The stream starts at the head when the server first reads it: ask until it shows one.
    await request("not-tailed");
    await waitFor(
      "a request made during the tail, printed",
      async () => {
        if (!printed) await request("tail");
        return printed;
      },
      20_000,
    );
    const shown = JSON.parse((await first)[0]!) as Record<string, unknown>;
    expect(shown).toMatchObject({
      status: "pending",
      relationship: "document:tail#editor@agent:bot",
    });
    expect(shown.token).toMatch(new RegExp(`^${TOKEN}$`));
    expect((await tail.stop()).exitCode).toBe(0);
  });

  it("refuses bad input: a relation without expiration, a longer approval, a bad duration", async () => {
    const owner = await latch(
      "access",
      "request",
      "document:q3#owner@agent:bot",
      "--for",
      "1h",
      "--justification",
      "own it",
    );
    expect(owner.exitCode).toBe(2);
    expect(owner.stderr).toContain(
      "relationship.relation: document#owner does not allow agent `with expiration`",
    );
    const asked = await request("longer");
    const longer = await latch("access", "approve", asked.id, "--for", "3h");
    expect(longer.exitCode).toBe(2);
    expect(longer.stderr).toContain("duration: 10800s is longer than the 7200s requested");
    const zero = await latch(
      "access",
      "request",
      "document:q3#editor@agent:bot",
      "--for",
      "0s",
      "--justification",
      "x",
    );
    expect(zero.exitCode).not.toBe(0);
    expect(zero.stderr).toContain("a grant must last a positive time");
    const malformed = await latch(
      "access",
      "request",
      "document:q3",
      "--for",
      "1h",
      "--justification",
      "x",
    );
    expect(malformed.exitCode).not.toBe(0);
    expect(malformed.stderr).toContain("relationship");
  });
});
