// `latch decisions`: list with filters, get, tail, export as NDJSON of the records as written,
// verify, against a server whose log lives in an embedded database.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiKeyRing } from "../../src/api/api-keys.js";
import { type LatchServer, startServer } from "../../src/api/latch-server.js";
import type { Decision } from "../../src/decisions/decision-record.js";
import { createRedactor, recordOf } from "../../src/decisions/redaction.js";
import { SqlDecisionLog } from "../../src/decisions/sql-decision-log.js";
import { createPgliteStore } from "../../src/store/postgres/pglite-store.js";
import type { SqlBackedStore } from "../../src/store/postgres/sql-store.js";
import { canonicalJson } from "../../src/tuple/canonical-json.js";
import { lookupDecision, makeDecision } from "../decisions/decision-fixtures.js";
import { waitFor } from "../support/wait-for.js";
import { runLatch, startLatch } from "./run-cli-helper.js";

const SECRET = Buffer.from("a-secret-of-at-least-thirty-two-characters");
const settings = { retentionMs: 86_400_000, redactKeys: ["ssn"], redactionSecret: SECRET };

describe("latch decisions", () => {
  let store: SqlBackedStore | undefined;
  let server: LatchServer | undefined;
  let writer: SqlDecisionLog | undefined;
  let env: Record<string, string> = {};
  const decisions: Decision[] = [
    makeDecision({ result: "denied", deniedBy: "agent:bot", reason: "not_delegated" }),
    makeDecision({
      subject: "user:bob",
      actors: [],
      apiKey: "ops",
      proof: {
        grantedBy: [
          {
            relationship: "document:plan#viewer@user:alice",
            caveat: "on_network",
            caveatContext: { cidr: "10.0.0.0/8", ssn: "078-05-1120" },
            caveatResult: "true",
          },
          {
            relationship: "document:plan#viewer@agent:bot",
            expiresAt: "2099-01-01T00:00:00Z",
            accessRequest: "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9",
          },
        ],
      },
    }),
    lookupDecision(),
    makeDecision({ result: "conditional", missingParameters: ["ip"] }),
  ];
  const redact = createRedactor(["ssn"], SECRET);
  const records = decisions.map((d) => recordOf(redact(d)));

  beforeAll(async () => {
    store = await createPgliteStore({});
    server = await startServer({
      store,
      keys: new ApiKeyRing([]),
      host: "127.0.0.1",
      grpcPort: 0,
      httpPort: 0,
      onInternalError: (method, error) => {
        throw new Error(`${method} failed inside the server: ${String(error)}`);
      },
      log: () => {},
      decisions: { database: store.database, settings: { mode: "async", ...settings } },
    });
    // Until checks record themselves, the test writes through a log of its own on the same tables.
    writer = await SqlDecisionLog.open(
      store.database,
      { mode: "sync", ...settings },
      { countDecisions: () => {}, log: () => {} },
    );
    for (const decision of decisions) await writer.record(decision);
    env = { LATCH_ENDPOINT: `127.0.0.1:${server.grpcPort}` };
  });

  afterAll(async () => {
    await server?.close(1000);
    await writer?.close(1000);
    await store?.close();
  });

  it("lists newest first, a line each, filtered", async () => {
    const all = await runLatch(["decisions", "list"], {}, { env });
    expect(all.exitCode).toBe(0);
    const lines = all.stdout.trimEnd().split("\n");
    expect(lines.map((l) => l.split("  ")[1])).toEqual(
      [...decisions].reverse().map((d) => d.decisionId),
    );
    expect(lines[3]).toBe(
      `${decisions[0]!.time}  ${decisions[0]!.decisionId}  denied  document:plan#view@user:alice  by agent:bot  denied by agent:bot (not_delegated)  key ci`,
    );
    expect(lines[1]).toContain("lookup_resources (3 found)  document#view@user:alice");
    const bob = await runLatch(
      ["decisions", "list", "--subject", "user:bob", "--json"],
      {},
      { env },
    );
    expect(
      bob.stdout
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l)),
    ).toEqual([records[1]]);
    const limited = await runLatch(
      ["decisions", "list", "--limit", "2", "--result", "allowed"],
      {},
      { env },
    );
    expect(limited.stdout.trimEnd().split("\n")).toHaveLength(1);
  });

  it("prints one decision whole, with its proof", async () => {
    const { exitCode, stdout } = await runLatch(
      ["decisions", "get", decisions[1]!.decisionId],
      {},
      { env },
    );
    expect(exitCode).toBe(0);
    expect(stdout).toContain(
      "  token lt1_token, revision 42, schema revision 7, computed, 812 µs, trace 4bf92f3577b34da6a3ce929d0e0e4736\n",
    );
    expect(stdout).toContain("  masked context.ssn, proof.grantedBy[0].caveatContext.ssn\n");
    expect(stdout).toContain("  granted by document:plan#viewer@user:alice [on_network:");
    expect(stdout).toContain(
      "  granted by document:plan#viewer@agent:bot [expiration:2099-01-01T00:00:00Z] (access request 0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9)\n",
    );
    expect(stdout).not.toContain("078-05-1120");
  });

  it("exports the records as NDJSON, keys sorted, a masked value never in it", async () => {
    const { exitCode, stdout } = await runLatch(
      ["decisions", "export", "--since", "1h"],
      {},
      { env },
    );
    expect(exitCode).toBe(0);
    expect(stdout).toBe(
      [...records]
        .reverse()
        .map((r) => `${canonicalJson(r)}\n`)
        .join(""),
    );
    expect(stdout).not.toContain("078-05-1120");
  });

  it("verifies the chain", async () => {
    const { exitCode, stdout } = await runLatch(["decisions", "verify"], {}, { env });
    expect(exitCode).toBe(0);
    expect(stdout).toMatch(
      /^ok: 4 decisions in batches 1 to \d+ are intact; the last batch's hash is [0-9a-f]{64}\n$/,
    );
  });

  it("follows new decisions until interrupted", async () => {
    const tail = startLatch(["decisions", "tail", "--json"], {}, { env });
    let printed = false;
    const first = tail.waitForStdout(1).then((lines) => {
      printed = true;
      return lines;
    });
    // The stream starts at the head when the server first reads it: write until it shows one.
    await waitFor(
      "a decision written during the tail, printed",
      async () => {
        if (!printed) await writer!.record(makeDecision({ subject: "user:carol" }));
        return printed;
      },
      20_000,
    );
    const shown = await first;
    expect(JSON.parse(shown[0]!)).toMatchObject({ subject: "user:carol" });
    expect((await tail.stop()).exitCode).toBe(0);
  });

  it("refuses a filter it does not know, and a bad time", async () => {
    const unknown = await runLatch(["decisions", "list", "--subjekt", "user:bob"], {}, { env });
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--subjekt'");
    const time = await runLatch(["decisions", "list", "--since", "yesterday"], {}, { env });
    expect(time.exitCode).toBe(2);
    expect(time.stderr).toContain("expected an RFC 3339 time");
    const reversed = await runLatch(
      ["decisions", "list", "--since", "2026-02-01T00:00:00Z", "--until", "2026-01-01T00:00:00Z"],
      {},
      { env },
    );
    expect(reversed.exitCode).toBe(2);
    expect(reversed.stderr).toMatch(
      /^INVALID_ARGUMENT: filter\.until: must be after filter\.since/,
    );
  });
});
