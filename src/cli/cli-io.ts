// The command line's connection to the outside world, injectable so that tests run commands in process.

import { readFile } from "node:fs/promises";

/** CliIo is where a command reads files and writes its output. */
export interface CliIo {
  readFile(path: string): Promise<string>;
  stdout(text: string): void;
  stderr(text: string): void;
}

/** processIo is the CliIo of a real process. */
export const processIo: CliIo = {
  readFile: (path) => readFile(path, "utf8"),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};
