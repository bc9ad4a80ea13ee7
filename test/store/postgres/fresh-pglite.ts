// An empty PGlite database in memory for a test, unpacked from the build's template when there is one.

import { PGlite } from "@electric-sql/pglite";
import { readEmbeddedTemplate } from "../../../src/store/postgres/embedded-template.js";

/**
 * freshPglite opens an empty in-memory database as `PGlite.create()` does, but from the template
 * `npm run build` leaves in dist/ (the same empty data directory): initdb in WebAssembly costs
 * about four times the CPU of unpacking it, seconds for every test file that opens one.
 */
export async function freshPglite(): Promise<PGlite> {
  const template = await readEmbeddedTemplate();
  return PGlite.create(template === undefined ? {} : { loadDataDir: template });
}
