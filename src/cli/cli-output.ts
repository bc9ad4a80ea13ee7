// How a command prints a result: one JSON object a line with --json, text for people otherwise.

import type { CliIo } from "./cli-io.js";

/** printResult prints value as one JSON line when json is set, else the text lines. */
export function printResult(
  io: CliIo,
  json: boolean | undefined,
  value: object,
  text: () => string | readonly string[],
): void {
  if (json) {
    io.stdout(`${JSON.stringify(value)}\n`);
    return;
  }
  const lines = text();
  io.stdout(`${typeof lines === "string" ? lines : lines.join("\n")}\n`);
}
