// The version of this Latch, from its package.json: one source of truth, read when the CLI starts.

import { readFileSync } from "node:fs";

/**
 * packageVersion is the `version` of the package.json two folders up: the package's own, from
 * `src/cli/` when run from source and from `dist/cli/` when built.
 */
export function packageVersion(): string {
  const text = readFileSync(new URL("../../package.json", import.meta.url), "utf8");
  const { version } = JSON.parse(text) as { version?: unknown };
  if (typeof version !== "string") throw new Error("package.json has no version");
  return version;
}
