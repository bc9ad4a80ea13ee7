// Reads the line a benchmark's child process prints once it serves: its ports, as JSON.

import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";

/**
 * readReadyLine resolves with a child's first line of output parsed as JSON, or rejects if the
 * child exits first. The caller names the shape it expects.
 */
export async function readReadyLine<T>(child: ChildProcess): Promise<T> {
  if (child.stdout === null) throw new Error("the child has no stdout");
  const lines = createInterface({ input: child.stdout });
  const first = await Promise.race([
    once(lines, "line").then(([line]) => ({ line: String(line) })),
    once(child, "exit").then(([code, signal]) => ({ exited: String(signal ?? code) })),
  ]);
  lines.close();
  if ("exited" in first) throw new Error(`a child exited (${first.exited}) before serving`);
  return JSON.parse(first.line) as T;
}
