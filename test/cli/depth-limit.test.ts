// LATCH_MAX_DEPTH: a chain deeper than the limit fails naming the setting, and passes once it is raised.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, postgresForTests } from "../store/postgres/test-database.js";
import { type ServedLatch, serveLatch, servingPorts } from "../support/latch-serve.js";
import { type CliTestServer, startCliServer, TEST_SCHEMA } from "./cli-test-server.js";
import { runLatch } from "./run-cli-helper.js";

// fully_consistent: the default, minimize_latency, may answer from a revision before the import.
const FRESH = ["--consistency", "fully_consistent"];

/** chain nests group `${prefix}0` `length` levels deep, down to user:erin. */
function chain(prefix: string, length: number): string {
  const links = Array.from(
    { length },
    (_, i) => `group:${prefix}${i}#member@group:${prefix}${i + 1}#member`,
  );
  return [...links, `group:${prefix}${length}#member@user:erin`].join("\n");
}

/** depthError is the error of a check that walked past the limit at group:`at`. */
function depthError(at: string): string {
  return `RESOURCE_EXHAUSTED: the check went deeper than the depth limit at group:${at}#member; the data nests too deeply (LATCH_MAX_DEPTH raises the limit) or the schema recurses without end\n`;
}

describe("the depth limit at its default, 50", () => {
  let server: CliTestServer;
  const latch = (args: string[], stdin?: string) =>
    runLatch(args, { "test.zed": TEST_SCHEMA }, { env: server.env, ...(stdin ? { stdin } : {}) });

  beforeAll(async () => {
    server = await startCliServer();
    await latch(["schema", "write", "test.zed"]);
    await latch(["import", "-"], chain("g", 60));
  });
  afterAll(() => server.close());

  it("fails a check down a 60-level chain with RESOURCE_EXHAUSTED naming LATCH_MAX_DEPTH", async () => {
    expect(await latch(["check", "group:g0#member@user:erin", ...FRESH])).toEqual({
      exitCode: 2,
      stdout: "",
      stderr: depthError("g50"),
    });
    expect((await latch(["check", "group:g20#member@user:erin", ...FRESH])).exitCode).toBe(0);
  });

  it("prints an expansion as deep as the server allows", async () => {
    const run = await latch(["expand", "group:g0#member", "--depth", "50", "--json", ...FRESH]);
    expect(run).toMatchObject({ exitCode: 0, stderr: "" });
    expect(run.stdout).toContain('"id":"g50"');
  });
});

describe("latch validate under LATCH_MAX_DEPTH", () => {
  const file = `schema: |-
  definition user {}
  definition group {
    relation member: user | group#member
  }
relationships: |-
${chain("g", 60)
  .split("\n")
  .map((line) => `  ${line}`)
  .join("\n")}
assertions:
  assertTrue:
    - group:g0#member@user:erin
`;
  const validate = (env: NodeJS.ProcessEnv) =>
    runLatch(["validate", "deep.yaml"], { "deep.yaml": file }, { env });
  const { LATCH_MAX_DEPTH: _, ...withoutSetting } = process.env;

  it("fails a chain deeper than the default, and passes it with the setting raised", async () => {
    const fails = await validate(withoutSetting);
    expect(fails.exitCode).toBe(1);
    expect(fails.stderr).toContain(
      "the check went deeper than the depth limit at group:g50#member; the data nests too deeply (LATCH_MAX_DEPTH raises the limit)",
    );
    expect(await validate({ ...withoutSetting, LATCH_MAX_DEPTH: "70" })).toMatchObject({
      exitCode: 0,
      stderr: "",
    });
  });

  it("exits 2 for a depth it does not take", async () => {
    expect(await validate({ ...withoutSetting, LATCH_MAX_DEPTH: "5000" })).toEqual({
      exitCode: 2,
      stdout: "",
      stderr:
        'invalid configuration:\n  - LATCH_MAX_DEPTH (maxDepth): must be a whole number from 1 to 1000, got "5000"\n',
    });
  });
});

const postgres = await postgresForTests("latch serve with LATCH_MAX_DEPTH");

describe.runIf(postgres)("latch serve with LATCH_MAX_DEPTH raised to 70", () => {
  let served: ServedLatch | undefined;
  let drop: (() => Promise<void>) | undefined;
  let env: Record<string, string>;
  const latch = (args: string[], stdin?: string) =>
    runLatch(args, { "test.zed": TEST_SCHEMA }, { env, ...(stdin ? { stdin } : {}) });

  beforeAll(async () => {
    const database = await createTestDatabase(postgres!);
    drop = database.drop;
    served = serveLatch({ DATABASE_URL: database.url, LATCH_MAX_DEPTH: "70" });
    const { grpcPort } = await servingPorts(served);
    env = { LATCH_ENDPOINT: `127.0.0.1:${grpcPort}` };
    await latch(["schema", "write", "test.zed"]);
    await latch(["import", "-"], `${chain("g", 60)}\n${chain("h", 80)}`);
  });
  afterAll(async () => {
    served?.process.kill("SIGTERM");
    await served?.exited;
    await drop?.();
  });

  it("allows a check down a 60-level chain, and fails one down 80 levels at level 70", async () => {
    expect(await latch(["check", "group:g0#member@user:erin", ...FRESH])).toMatchObject({
      exitCode: 0,
      stderr: "",
    });
    expect(await latch(["check", "group:h0#member@user:erin", ...FRESH])).toEqual({
      exitCode: 2,
      stdout: "",
      stderr: depthError("h70"),
    });
  });
});
