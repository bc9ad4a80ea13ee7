// How tests run an entry point of src/ in a child process: the build's JavaScript when it is
// fresh, the sources through tsx when it is not.
//
// Compiled code starts with about half the CPU of tsx, which compiles every module as it loads:
// seconds for every `latch` a test runs. CI builds dist/ (`npm ci` runs prepare, which runs
// `npm run build`) before the tests; a developer who edits a source after building is tested on
// that source, never on the stale build.

import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const REPOSITORY = fileURLToPath(new URL("../..", import.meta.url));
const SOURCES = join(REPOSITORY, "src");
const BUILD = join(REPOSITORY, "dist");

let fresh: boolean | undefined;

/**
 * builtIsFresh says whether dist/ holds, for every TypeScript file of src/, the JavaScript
 * `npm run build` makes of it, written after the source last changed. It looks once per process.
 */
export function builtIsFresh(): boolean {
  fresh ??= everySourceBuilt();
  return fresh;
}

function everySourceBuilt(): boolean {
  const sources = readdirSync(SOURCES, { recursive: true, encoding: "utf8" }).filter(
    (path) => path.endsWith(".ts") && !path.endsWith(".d.ts"),
  );
  return sources.every((path) => {
    const built = statSync(join(BUILD, path.replace(/\.ts$/, ".js")), { throwIfNoEntry: false });
    return built !== undefined && built.mtimeMs >= statSync(join(SOURCES, path)).mtimeMs;
  });
}

/**
 * entryArguments returns the arguments for node that run source, a TypeScript file of src/ given
 * by its absolute path: its compiled file in dist/ when {@link builtIsFresh}, else source through
 * tsx.
 */
export function entryArguments(source: string): string[] {
  const path = relative(SOURCES, source);
  if (path.startsWith("..") || !path.endsWith(".ts")) {
    throw new Error(`${source} is not a TypeScript file of ${SOURCES}`);
  }
  return builtIsFresh() ? [join(BUILD, path.replace(/\.ts$/, ".js"))] : ["--import", "tsx", source];
}
