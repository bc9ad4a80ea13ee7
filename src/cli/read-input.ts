// Reads what a command is given to read: a file, or standard input for `-`.

import type { CliIo } from "./cli-io.js";
import { UsageError } from "./usage-error.js";

/** STDIN names standard input where a command takes a file. */
export const STDIN = "-";

/** readInput reads path, or standard input for `-`; a file it cannot read is a {@link UsageError}. */
export async function readInput(io: CliIo, path: string): Promise<string> {
  if (path === STDIN) return io.readStdin();
  try {
    return await io.readFile(path);
  } catch (error) {
    throw new UsageError(`${path}: cannot read: ${(error as Error).message}`);
  }
}
