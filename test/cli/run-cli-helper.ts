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

/** CliInput is what a command may read besides files: its environment and standard input. */
export interface CliInput {
  /** The environment; process.env when not given. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly stdin?: string;
}

/** runLatch runs `latch ...args`; files named in `files` are served from memory, others from disk. */
export async function runLatch(
  args: string[],
  files: Record<string, string> = {},
  input: CliInput = {},
): Promise<CliRun> {
  return startLatch(args, files, input).done;
}

/** RunningLatch is a command still running, such as `latch watch`. */
export interface RunningLatch {
  /** waitForStdout resolves once the command has printed at least `lines` lines. */
  waitForStdout(lines: number): Promise<string[]>;
  /** stop interrupts the command (as Ctrl-C does) unless it ended by itself, and waits for it. */
  stop(): Promise<CliRun>;
  /** done waits for the command to end by itself. */
  readonly done: Promise<CliRun>;
}

/** startLatch runs `latch ...args` in the background, interruptible through the io's signal. */
export function startLatch(
  args: string[],
  files: Record<string, string> = {},
  input: CliInput = {},
): RunningLatch {
  let stdout = "";
  let stderr = "";
  const waiting = new Set<() => void>();
  const interrupt = new AbortController();
  const io: CliIo = {
    readFile: async (path) => files[path] ?? readFile(path, "utf8"),
    readStdin: async () => input.stdin ?? "",
    stdout: (text) => {
      stdout += text;
      for (const wake of waiting) wake();
    },
    stderr: (text) => {
      stderr += text;
    },
    env: input.env ?? process.env,
    interruption: () => interrupt.signal,
  };
  let ended = false;
  const done = runCli(args, io).then((exitCode) => {
    ended = true;
    for (const wake of waiting) wake();
    return { exitCode, stdout, stderr };
  });
  const lines = () => stdout.split("\n").slice(0, -1);
  return {
    waitForStdout: (count) =>
      new Promise((resolve, reject) => {
        const wake = () => {
          if (lines().length >= count) {
            waiting.delete(wake);
            resolve(lines());
          } else if (ended) {
            waiting.delete(wake);
            reject(new Error(`the command ended after ${lines().length} lines: ${stderr}`));
          }
        };
        waiting.add(wake);
        wake();
      }),
    stop: () => {
      interrupt.abort();
      return done;
    },
    done,
  };
}
