// `latch key create`: a secret, and the LATCH_API_KEYS entry holding only its hash, as text or JSON.

import { describe, expect, it } from "vitest";
import { hashApiKey } from "../../src/api/api-keys.js";
import { runLatch } from "./run-cli-helper.js";

describe("latch key create", () => {
  it("prints the secret and its LATCH_API_KEYS entry", async () => {
    const run = await runLatch(["key", "create", "ci", "--scopes", "check,read"]);
    expect(run.exitCode).toBe(0);
    const [secretLine, entryLine, ...rest] = run.stdout.split("\n");
    const secret = /^secret \(shown once; the server keeps only its hash\): (lk_\S+)$/.exec(
      secretLine!,
    )?.[1];
    expect(secret).toBeDefined();
    expect(entryLine).toBe(`LATCH_API_KEYS entry: ci:${hashApiKey(secret!)}:check+read`);
    expect(rest).toEqual([""]);
  });

  it("--json prints {name, scopes, secret, sha256, entry}", async () => {
    const run = await runLatch(["key", "create", "ops", "--scopes", "admin", "--json"]);
    expect(run).toMatchObject({ exitCode: 0, stderr: "" });
    const printed = JSON.parse(run.stdout) as { secret: string };
    const sha256 = hashApiKey(printed.secret);
    expect(printed).toEqual({
      name: "ops",
      scopes: ["admin"],
      secret: expect.stringMatching(/^lk_[A-Za-z0-9_-]{43}$/),
      sha256,
      entry: `ops:${sha256}:admin`,
    });
  });

  it("exits 2 naming a scope that does not exist", async () => {
    expect(await runLatch(["key", "create", "ci", "--scopes", "check,raed", "--json"])).toEqual({
      exitCode: 2,
      stdout: "",
      stderr: "unknown scope raed: use check, read, write, schema, audit, approve, admin\n",
    });
  });
});
