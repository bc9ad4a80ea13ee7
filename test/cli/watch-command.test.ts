// `latch watch` against a server in process: changes as they commit, until interrupted.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliTestServer, startCliServer, TEST_SCHEMA } from "./cli-test-server.js";
import { runLatch, startLatch } from "./run-cli-helper.js";

describe("latch watch against a server", () => {
  let server: CliTestServer;
  const latch = (args: string[]) =>
    runLatch(args, { "test.zed": TEST_SCHEMA }, { env: server.env });
  const token = async (args: string[]) =>
    JSON.parse((await latch([...args, "--json"])).stdout).token;

  beforeAll(async () => {
    server = await startCliServer();
    await latch(["schema", "write", "test.zed"]);
  });
  afterAll(() => server.close());

  it("prints each change after --from with its operation and token, and stops on interruption", async () => {
    const from = await token(["rel", "touch", "folder:eng#viewer@user:alice"]);
    const watch = startLatch(["watch", "--json", "--from", from], {}, { env: server.env });
    const touched = await token([
      "rel",
      "touch",
      "folder:eng#viewer@user:bob",
      "document:plan#viewer@user:bob[expiration:2030-01-01T00:00:00Z]",
    ]);
    const deleted = await token(["rel", "delete", "folder:eng#viewer@user:alice"]);
    const lines = await watch.waitForStdout(3);
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      { operation: "touch", relationship: "folder:eng#viewer@user:bob", token: touched },
      {
        operation: "touch",
        relationship: "document:plan#viewer@user:bob[expiration:2030-01-01T00:00:00Z]",
        token: touched,
      },
      { operation: "delete", relationship: "folder:eng#viewer@user:alice", token: deleted },
    ]);
    expect(await watch.stop()).toMatchObject({ exitCode: 0, stderr: "" });
  });

  it("prints text lines, only for the --type asked", async () => {
    const from = await token(["rel", "touch", "folder:eng#viewer@user:carol"]);
    const watch = startLatch(
      ["watch", "--from", from, "--type", "document"],
      {},
      { env: server.env },
    );
    await latch(["rel", "touch", "folder:eng#viewer@user:dave"]);
    const written = await token(["rel", "touch", "document:plan#viewer@user:dave"]);
    const lines = await watch.waitForStdout(1);
    expect(lines).toEqual([`touch document:plan#viewer@user:dave (token ${written})`]);
    const run = await watch.stop();
    expect(run).toMatchObject({ exitCode: 0, stderr: "" });
    expect(run.stdout.split("\n")).toHaveLength(2);
  });

  it("exits 2 with the server's error for a token that is not one", async () => {
    const run = await latch(["watch", "--from", "not-a-token"]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/^INVALID_ARGUMENT: /);
  });

  it("exits 2 with a message and the token to resume from when the server goes away", async () => {
    const own = await startCliServer();
    const env = own.env;
    const schema = await runLatch(
      ["schema", "write", "--json", "test.zed"],
      { "test.zed": TEST_SCHEMA },
      { env },
    );
    // From the schema's token, so that the write below comes after the watch's start however
    // late the server starts it.
    const from = JSON.parse(schema.stdout).token;
    const watch = startLatch(["watch", "--from", from], {}, { env });
    const written = JSON.parse(
      (await runLatch(["rel", "touch", "folder:eng#viewer@user:erin", "--json"], {}, { env }))
        .stdout,
    ).token;
    await watch.waitForStdout(1);
    await own.close();
    const run = await watch.done;
    expect(run.exitCode).toBe(2);
    // A server that ends its streams with UNAVAILABLE when it stops says so instead.
    const [ended, resume, ...rest] = run.stderr.split("\n");
    const endpoint = env.LATCH_ENDPOINT!.replaceAll(".", "\\.");
    expect(ended).toMatch(
      new RegExp(
        `^(the server at ${endpoint} ended the watch \\(is it stopping\\?\\)|UNAVAILABLE: .+)$`,
      ),
    );
    expect(resume).toBe(
      `every change through ${written} was printed: resume with --from ${written}`,
    );
    expect(rest).toEqual([""]);
  });
});
