// Test helper: runs the latch command line in process and captures what it prints.

import { readFile } from "node:fs/promises";
import type { CliIo } from "../../src/cli/cli-io.js";
import { runCli } from "../../src/cli/run-cli.js";

/** CliRun is the outcome of one command. */
export interface CliRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** runLatch runs `latch ...args`; files named in `files` are served from memory, others from disk. */
export async function runLatch(
  args: string[],
  files: Record<string, string> = {},
): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    readFile: async (path) => files[path] ?? readFile(path, "utf8"),
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  };
  const exitCode = await runCli(args, io);
  return { exitCode, stdout, stderr };
}
