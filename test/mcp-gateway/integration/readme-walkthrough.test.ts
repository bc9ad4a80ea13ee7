// The README's MCP gateway walkthrough, run as the README says: against `latch serve` with the
// example's schema and tools' denials requestable, the example agent running `latch mcp-gateway
// --stdio` in front of the example docs server, each command's output compared with the README's.

import { readFileSync } from "node:fs";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shellExample } from "../../readme/example-steps.js";
import { outputMatches } from "../../readme/expected-output.js";
import { readmeBlocks } from "../../readme/readme-blocks.js";
import { runExample } from "../../readme/run-example.js";
import { entryArguments } from "../../support/built-entry.js";
import { type ServedLatch, serveLatch, servingPorts } from "../../support/latch-serve.js";

const REPOSITORY = fileURLToPath(new URL("../../..", import.meta.url));
const README = readFileSync(join(REPOSITORY, "README.md"), "utf8");

describe("the README's MCP gateway walkthrough", () => {
  let scratch: string;
  let served: ServedLatch;
  let env: Record<string, string>;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), "latch-mcp-readme-"));
    served = serveLatch({
      LATCH_DATA_DIR: join(scratch, "data"),
      LATCH_SCHEMA: join(REPOSITORY, "examples/mcp-gateway/schema.zed"),
      LATCH_REQUESTABLE: "mcp_tool#caller",
    });
    const { grpcPort } = await servingPorts(served);
    const latch = join(scratch, "latch");
    const main = entryArguments(join(REPOSITORY, "src/cli/main.ts"))
      .map((argument) => `"${argument}"`)
      .join(" ");
    await writeFile(latch, `#!/bin/sh\nexec "${process.execPath}" ${main} "$@"\n`);
    await chmod(latch, 0o755);
    const base = Object.fromEntries(
      Object.entries(process.env).filter(
        (entry): entry is [string, string] =>
          entry[1] !== undefined && !entry[0].startsWith("LATCH_"),
      ),
    );
    env = {
      ...base,
      PATH: `${scratch}:${base.PATH ?? ""}`,
      LATCH_ENDPOINT: `127.0.0.1:${grpcPort}`,
    };
  });

  afterAll(async () => {
    served?.process.kill("SIGTERM");
    await served?.exited;
    await rm(scratch, { recursive: true, force: true });
  });

  it("prints what the README shows", async () => {
    const block = readmeBlocks(README).find((b) =>
      b.notRun?.startsWith("the MCP gateway walkthrough"),
    );
    const example = block === undefined ? undefined : shellExample(block);
    expect(example?.style).toBe("console");
    const outcomes = await runExample(example!, REPOSITORY, env);
    for (const { step, output } of outcomes) {
      const where = `README.md:${step.line}: ${step.command}`;
      if (step.expected === undefined) continue;
      const shown = outputMatches(output, step.expected) ? step.expected : output;
      expect.soft(shown, where).toEqual(step.expected);
    }
  }, 600_000);
});
