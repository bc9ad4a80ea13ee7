// `latch schema check|format`, `latch --help` and `latch --version`, run in process.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runLatch } from "./run-cli-helper.js";

const VALID = `definition user {}

definition document {
  relation viewer: user
  relation editor: user with ip_allowed
  permission view = viewer + editor
}

caveat ip_allowed(ip ipaddress) {
  ip.in_cidr('10.0.0.0/8')
}
`;

describe("latch schema", () => {
  it("check prints a one-line summary and exits 0 for a valid schema", async () => {
    const run = await runLatch(["schema", "check", "a.zed"], { "a.zed": VALID });
    expect(run).toEqual({
      exitCode: 0,
      stdout: "a.zed: ok, 2 definitions, 2 relations, 1 permission, 1 caveat\n",
      stderr: "",
    });
  });

  it("check prints every positioned error and exits non-zero for an invalid schema", async () => {
    const invalid =
      "definition user {}\ndefinition document {\n  relation viewer: usr\n  permission view = viewr\n}\n";
    const run = await runLatch(["schema", "check", "b.zed"], { "b.zed": invalid });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr.split("\n")).toEqual([
      "b.zed:3:20: unknown definition 'usr' (did you mean 'user'?); add 'definition usr {}' or fix the name",
      "b.zed:4:21: definition 'document' has no relation or permission 'viewr' (did you mean 'viewer'?)",
      "2 errors",
      "",
    ]);
  });

  it("check reports an expression nested past the limit where it passes the limit", async () => {
    const nested = `definition user {}\ndefinition document {\n  relation viewer: user\n  permission view = ${"(".repeat(100_000)}viewer${")".repeat(100_000)}\n}\n`;
    const run = await runLatch(["schema", "check", "d.zed"], { "d.zed": nested });
    expect(run.exitCode).toBe(1);
    expect(run.stderr.split("\n")).toEqual([
      "d.zed:4:121: the expression nests more than 100 levels deep (parentheses, and operators applied to other operators' results); split it into several permissions",
      "1 error",
      "",
    ]);
  });

  it("check counts only the errors of a report cut at its limit, and says more may follow", async () => {
    const many = Array.from({ length: 150 }, (_, i) => `definition d${i}x { relation r: nope }`);
    const run = await runLatch(["schema", "check", "many.zed"], { "many.zed": many.join("\n") });
    const lines = run.stderr.trimEnd().split("\n");
    expect(run.exitCode).toBe(1);
    expect(lines.at(-2)).toBe(
      "many.zed:100:28: too many errors: checking stopped after 100; fix these and check again",
    );
    expect(lines.at(-1)).toBe("at least 100 errors");
  });

  it("check refuses latch/ definitions and caveats at their names, as a server does", async () => {
    const reserved =
      "definition user {}\ndefinition latch/suspension {\n  relation suspended: user\n}\ncaveat latch/mine(x int) {\n  x > 1\n}\n";
    const why =
      "the prefix 'latch/' is reserved for Latch's built-in definitions; rename it (suspensions are written through AgentService, access requests through ApprovalService, not the schema)";
    const run = await runLatch(["schema", "check", "r.zed"], { "r.zed": reserved });
    expect(run).toEqual({
      exitCode: 1,
      stdout: "",
      stderr: [
        `r.zed:2:12: definition 'latch/suspension': ${why}`,
        `r.zed:5:8: caveat 'latch/mine': ${why}`,
        "2 errors",
        "",
      ].join("\n"),
    });
    const json = await runLatch(["schema", "check", "r.zed", "--json"], { "r.zed": reserved });
    expect(JSON.parse(json.stdout)).toEqual({
      file: "r.zed",
      ok: false,
      errors: [
        { line: 2, column: 12, message: `definition 'latch/suspension': ${why}` },
        { line: 5, column: 8, message: `caveat 'latch/mine': ${why}` },
      ],
    });
    // Names that only start like the prefix are the user's.
    const near = await runLatch(["schema", "check", "n.zed"], {
      "n.zed": "definition latches/user {}\ndefinition latch_user {}\n",
    });
    expect(near.stdout).toBe("n.zed: ok, 2 definitions, 0 relations, 0 permissions, 0 caveats\n");
  });

  it("check reports a file it cannot read", async () => {
    const run = await runLatch(["schema", "check", "/nonexistent/x.zed"]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("/nonexistent/x.zed: cannot read");
  });

  it("format prints the canonical form", async () => {
    const messy =
      "definition user {}\ndefinition document {\n    relation viewer: user\n  relation banned: user\n    permission view = viewer - banned + viewer\n}";
    const run = await runLatch(["schema", "format", "c.zed"], { "c.zed": messy });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe(
      "definition user {}\n\ndefinition document {\n\trelation viewer: user\n\trelation banned: user\n\n\tpermission view = viewer - (banned + viewer)\n}\n",
    );
  });

  it("check --json prints the counts, or every error with its line and column", async () => {
    const valid = await runLatch(["schema", "check", "a.zed", "--json"], { "a.zed": VALID });
    expect(valid).toEqual({
      exitCode: 0,
      stdout: `${JSON.stringify({ file: "a.zed", ok: true, definitions: 2, relations: 2, permissions: 1, caveats: 1 })}\n`,
      stderr: "",
    });
    const invalid = await runLatch(["schema", "check", "b.zed", "--json"], {
      "b.zed": "definition user {}\ndefinition document {\n  relation viewer: usr\n}\n",
    });
    expect(invalid).toEqual({
      exitCode: 1,
      stdout: `${JSON.stringify({
        file: "b.zed",
        ok: false,
        errors: [
          {
            line: 3,
            column: 20,
            message:
              "unknown definition 'usr' (did you mean 'user'?); add 'definition usr {}' or fix the name",
          },
        ],
      })}\n`,
      stderr: "",
    });
  });

  it("format --json prints the canonical form as {schema}", async () => {
    const run = await runLatch(["schema", "format", "c.zed", "--json"], {
      "c.zed": "definition user {}\ndefinition document {\n    relation viewer: user\n}",
    });
    expect(run).toEqual({
      exitCode: 0,
      stdout: `${JSON.stringify({ schema: "definition user {}\n\ndefinition document {\n\trelation viewer: user\n}\n" })}\n`,
      stderr: "",
    });
  });

  it("--version prints the version of package.json", async () => {
    const { version } = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };
    expect(await runLatch(["--version"])).toEqual({
      exitCode: 0,
      stdout: `${version}\n`,
      stderr: "",
    });
  });

  it("--help lists the commands", async () => {
    const run = await runLatch(["--help"]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain("schema");
    const schemaHelp = await runLatch(["schema", "--help"]);
    expect(schemaHelp.stdout).toContain("check");
    expect(schemaHelp.stdout).toContain("format");
  });
});
