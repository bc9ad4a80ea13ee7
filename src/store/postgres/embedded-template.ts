// The embedded database's starting point: an empty data directory initialised once, when Latch is
// built, so that a first start unpacks it (about 2 s) instead of running initdb in WebAssembly
// (about 10 s).

import { readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";

/** PGLITE_DIRECTORY is the installed PGlite package's directory. */
const PGLITE_DIRECTORY = join(
  dirname(fileURLToPath(import.meta.resolve("@electric-sql/pglite"))),
  "..",
);

/**
 * embeddedTemplatePath is where the build keeps the template made by the installed PGlite: the
 * file is named after PGlite's version, because another version's data directory may not open.
 * The path is the same from `src/` (tests, tsx) and `dist/`: both are three levels down.
 */
export async function embeddedTemplatePath(): Promise<string> {
  const manifest = JSON.parse(await readFile(join(PGLITE_DIRECTORY, "package.json"), "utf8")) as {
    version: string;
  };
  const root = fileURLToPath(new URL("../../../", import.meta.url));
  return join(root, "dist", `embedded-template-${manifest.version}.tar.gz`);
}

/**
 * readEmbeddedTemplate returns the template for PGlite's `loadDataDir`, or undefined when the
 * build made none for this PGlite version (a checkout run from source before `npm install`):
 * then PGlite initialises the directory itself, only slower.
 */
export async function readEmbeddedTemplate(): Promise<Blob | undefined> {
  try {
    return new Blob([await readFile(await embeddedTemplatePath())]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** writeEmbeddedTemplate initialises an empty database in memory and saves it as the template. */
export async function writeEmbeddedTemplate(): Promise<string> {
  const database = await PGlite.create();
  try {
    const archive = await database.dumpDataDir("gzip");
    const path = await embeddedTemplatePath();
    // Written aside and renamed: a build stopped halfway leaves no truncated template behind.
    await writeFile(`${path}.partial`, Buffer.from(await archive.arrayBuffer()));
    await rename(`${path}.partial`, path);
    return path;
  } finally {
    await database.close();
  }
}
