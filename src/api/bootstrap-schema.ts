// The schema a server starts with: the configured file, or on an empty store the example agent schema.

import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { loadServedSchema } from "../agents/builtin-schema.js";
import { formatDiagnostic } from "../schema/diagnostic.js";
import type { Store } from "../store/store.js";
import { storeFitCheck } from "./schema-fit.js";

/** EXAMPLE_SCHEMA_FILE is the example agent schema shipped in the package's `schema/` folder. */
export const EXAMPLE_SCHEMA_FILE = fileURLToPath(
  new URL("../../schema/agent.zed", import.meta.url),
);

/** SchemaBootstrap says what {@link bootstrapSchema} did. */
export type SchemaBootstrap = "kept" | "wrote-configured" | "wrote-example";

/**
 * bootstrapSchema writes the schema in file when the store holds a different one (after the same
 * checks as WriteSchema), or, with no file, the example agent schema when the store has none.
 */
export async function bootstrapSchema(
  store: Store,
  file: string | undefined,
): Promise<SchemaBootstrap> {
  const stored = await store.readSchema();
  if (file === undefined && stored !== undefined) return "kept";
  const path = file ?? EXAMPLE_SCHEMA_FILE;
  const text = await readFile(path, "utf8");
  if (stored?.text === text) return "kept";
  const loaded = loadServedSchema(text);
  if (!loaded.ok) {
    const listed = loaded.diagnostics.map((d) => formatDiagnostic(path, d)).join("\n");
    throw new Error(`the schema in ${path} has errors:\n${listed}`);
  }
  await store.writeSchema(text, storeFitCheck(loaded.schema));
  return file === undefined ? "wrote-example" : "wrote-configured";
}
