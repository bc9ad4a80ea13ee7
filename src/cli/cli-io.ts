// The command line's connection to the outside world, injectable so that tests run commands in process.

import { readFile } from "node:fs/promises";
import { text } from "node:stream/consumers";

/** CliIo is where a command reads files, input and settings, and writes its output. */
export interface CliIo {
  readFile(path: string): Promise<string>;
  /** readStdin reads all of standard input, for the arguments `-`. */
  readStdin(): Promise<string>;
  stdout(text: string): void;
  stderr(text: string): void;
  /** env holds the settings read from the environment (LATCH_ENDPOINT, LATCH_TOKEN). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * interruption returns a signal that aborts when the user asks a command that runs until
   * stopped (`latch watch`) to stop, so that it ends cleanly rather than being killed.
   */
  interruption(): AbortSignal;
}

/** processIo is the CliIo of a real process: Ctrl-C or SIGTERM interrupts. */
export const processIo: CliIo = {
  readFile: (path) => readFile(path, "utf8"),
  readStdin: () => text(process.stdin),
  stdout: (output) => process.stdout.write(output),
  stderr: (output) => process.stderr.write(output),
  env: process.env,
  interruption: () => {
    const controller = new AbortController();
    // `once`: a second Ctrl-C, if stopping hangs, kills the process as usual.
    const stop = () => controller.abort();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    return controller.signal;
  },
};
