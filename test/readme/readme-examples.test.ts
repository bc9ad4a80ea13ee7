// The README as executable documentation: its shell examples run, in order, against `latch serve`
// started as `npm start` starts it on a fresh clone, and print what the README shows.
//
// - Run: ```sh and ```console blocks, and ```text blocks with `$ ` prompts (read as console).
//   `latch` and `npx latch` run the CLI compiled from src/; the commands run in a scratch
//   directory that links the repository's files; `localhost:8080` and `localhost:50051` are
//   rewritten to the test server's ports, which LATCH_ENDPOINT names.
// - Compared: in console blocks, each command's output (stdout and stderr) with the lines shown
//   after it; in sh blocks, `# ` lines right after code with that code's output, and every sh step
//   must exit 0. `...` stands for what varies (`lt1_...`), and a line of only `...` for any lines.
// - Not run: a block right after `<!-- not run: REASON -->`; NOT_RUN below lists the reasons, so
//   that adding one is a reviewed change.
// - ```zed blocks must load without errors.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadSchema } from "../../src/schema/load-schema.js";
import { shellExample } from "./example-steps.js";
import { outputMatches } from "./expected-output.js";
import { readmeBlocks } from "./readme-blocks.js";
import { openReadmeSandbox } from "./readme-sandbox.js";
import { runExample } from "./run-example.js";

/** NOT_RUN is why each block the README does not run is left out, in README order. */
const NOT_RUN = [
  "installs and serves in the foreground; the test starts the same server itself",
  "starts a second server, traced; test/telemetry/integration/traces.test.ts runs it",
  "the MCP gateway walkthrough: test/mcp-gateway/integration/readme-walkthrough.test.ts runs it against a server with its schema",
  "needs the k6 binary, which the test machine does not have; npm run loadtest below runs the same scripts",
];

const README = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const blocks = readmeBlocks(README);

describe("README examples", () => {
  it("leaves out only the reviewed blocks, each a shell example", () => {
    const notRun = blocks.filter((block) => block.notRun !== undefined);
    expect(notRun.map((block) => block.notRun)).toEqual(NOT_RUN);
    for (const block of notRun) {
      expect(shellExample(block), `README.md:${block.line} is not a shell example`).toBeDefined();
    }
  });

  it("has schemas that load", () => {
    const schemas = blocks.filter((block) => block.language === "zed");
    expect(schemas.length).toBeGreaterThan(0);
    for (const block of schemas) {
      const loaded = loadSchema(block.lines.join("\n"));
      const errors = loaded.ok ? [] : loaded.diagnostics.map((d) => d.message);
      expect(errors, `README.md:${block.line}`).toEqual([]);
    }
  });

  it("runs every shell example against a fresh latch serve and prints what it shows", async () => {
    const sandbox = await openReadmeSandbox();
    try {
      let ran = 0;
      for (const block of blocks) {
        if (block.notRun !== undefined) continue;
        const localized = { ...block, lines: block.lines.map(sandbox.localize) };
        const example = shellExample(localized);
        if (example === undefined) continue;
        ran++;
        const outcomes = await runExample(example, sandbox.directory, sandbox.env);
        for (const { step, output, exitCode } of outcomes) {
          const where = `README.md:${step.line}: ${step.command.split("\n")[0]}`;
          if (example.style === "sh") {
            const status = exitCode ?? "none: a command of this step failed";
            expect.soft(status, `${where}: exit status`).toBe(0);
          }
          if (step.expected === undefined) continue;
          const shown = outputMatches(output, step.expected) ? step.expected : output;
          expect.soft(shown, where).toEqual(step.expected);
        }
      }
      expect(ran).toBeGreaterThan(0);
    } catch (error) {
      throw new Error(`${String(error)}\nserver log:\n${sandbox.serverLog()}`);
    } finally {
      await sandbox.close();
    }
  }, 900_000);
});
