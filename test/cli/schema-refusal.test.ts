// A schema write refused over stored relationships: the CLI prints what they are and the commands that delete them, which work.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliTestServer, startCliServer, TEST_SCHEMA } from "./cli-test-server.js";
import { runLatch } from "./run-cli-helper.js";

/** SHRUNK_SCHEMA takes from TEST_SCHEMA the folder definition, document#parent, and two subjects of document#viewer. */
const SHRUNK_SCHEMA = `use expiration

caveat on_network(ip ipaddress) {
  ip.in_cidr('10.0.0.0/8')
}

definition user {}

definition group {
  relation member: user | group#member
}

definition document {
  relation viewer: user | group#member | user with on_network
  relation banned: user
  permission view = viewer - banned
}
`;

const REFUSAL = `FAILED_PRECONDITION: the schema does not allow relationships the store holds; delete them first, or keep allowing them:
- definition 'folder' is removed: 1 relationship: folder:eng#viewer@user:alice
  delete it: latch rel delete --filter 'folder'
- relation 'document#parent' is removed: 1 relationship: document:plan#parent@folder:eng
  delete it: latch rel delete --filter 'document#parent'
- document#viewer no longer allows user:*: 1 relationship: document:plan#viewer@user:*
  delete it: latch rel delete --filter 'document#viewer@user:*'
- document#viewer no longer allows user with expiration: 1 relationship: document:plan#viewer@user:bob[expiration:2100-01-01T00:00:00Z]
  delete it: latch rel delete 'document:plan#viewer@user:bob'
`;

describe("latch schema write over relationships the new schema does not allow", () => {
  let server: CliTestServer;
  const latch = (args: string[]) =>
    runLatch(args, { "test.zed": TEST_SCHEMA, "shrunk.zed": SHRUNK_SCHEMA }, { env: server.env });

  beforeAll(async () => {
    server = await startCliServer();
  });
  afterAll(() => server.close());

  it("is refused with the relationships and the commands that delete them, which make it pass", async () => {
    expect((await latch(["schema", "write", "test.zed"])).exitCode).toBe(0);
    const written = await latch([
      "rel",
      "write",
      "folder:eng#viewer@user:alice",
      "document:plan#parent@folder:eng",
      "document:plan#viewer@user:*",
      "document:plan#viewer@user:bob[expiration:2100-01-01T00:00:00Z]",
      "document:plan#viewer@user:carol",
    ]);
    expect(written.exitCode).toBe(0);

    const refused = await latch(["schema", "write", "shrunk.zed"]);
    expect(refused).toEqual({ exitCode: 2, stdout: "", stderr: REFUSAL });

    const commands = REFUSAL.split("\n").flatMap((line) => {
      const command = /^ {2}delete (?:it|them): latch (.*)$/.exec(line)?.[1];
      return command === undefined ? [] : [shellWords(command)];
    });
    expect(commands).toHaveLength(4);
    for (const args of commands) expect((await latch(args)).exitCode).toBe(0);
    expect(await latch(["schema", "write", "shrunk.zed"])).toMatchObject({
      exitCode: 0,
      stderr: "",
    });
    expect((await latch(["rel", "read", "document"])).stdout).toBe(
      "document:plan#viewer@user:carol\n",
    );
  });

  it("is refused when it retypes a caveat's parameter that relationships carry, saying which and what to do instead", async () => {
    expect((await latch(["schema", "write", "test.zed"])).exitCode).toBe(0);
    const touched = await latch(["rel", "touch", "document:plan#viewer@user:dan[on_network]"]);
    expect(touched.exitCode).toBe(0);
    const retyped = TEST_SCHEMA.replace(
      "on_network(ip ipaddress) {\n  ip.in_cidr('10.0.0.0/8')",
      "on_network(ip string, port int) {\n  ip != '' && port > 0",
    );
    const files = { "retyped.zed": retyped };
    const refused = await runLatch(["schema", "write", "retyped.zed"], files, { env: server.env });
    expect(refused).toEqual({
      exitCode: 2,
      stdout: "",
      stderr: `FAILED_PRECONDITION: a caveat's parameters cannot be removed or given another type while relationships carry the caveat, holding values of them as declared:
- caveat 'on_network': parameter 'ip' changes type from ipaddress to string; 1 relationship carries it: document:plan#viewer@user:dan[on_network]
  define a caveat under a new name and write the relationships with it (or delete them), then change or remove the old one
`,
    });
    expect((await latch(["schema", "read"])).stdout).toBe(TEST_SCHEMA);
    expect((await latch(["rel", "delete", "document:plan#viewer@user:dan"])).exitCode).toBe(0);
    expect(
      (await runLatch(["schema", "write", "retyped.zed"], files, { env: server.env })).exitCode,
    ).toBe(0);
  });
});

/** shellWords splits a command line as a shell would, for words that are plain or single-quoted. */
function shellWords(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|(\S+)/g)].map((match) => match[1] ?? match[2]!);
}
