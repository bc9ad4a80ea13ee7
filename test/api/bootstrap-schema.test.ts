// The schema a server starts with: written when it differs, refused like WriteSchema when stored relationships would not fit.

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { bootstrapSchema } from "../../src/api/bootstrap-schema.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import { rel } from "../store/store-test-helpers.js";
import { expectSchemaRefusal } from "./schema-refusal.js";

const SCHEMA = `definition user {}

definition document {
  relation viewer: user
  relation editor: user
}
`;

describe("bootstrapSchema", () => {
  let directory: string;
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), "latch-bootstrap-"));
  });
  afterEach(() => rm(directory, { recursive: true, force: true }));

  const file = async (text: string) => {
    const path = join(directory, `${Math.random().toString(36).slice(2)}.zed`);
    await writeFile(path, text);
    return path;
  };

  it("writes the configured schema, keeps it when unchanged, and refuses one that orphans relationships", async () => {
    const store = createMemoryStore();
    const path = await file(SCHEMA);
    expect(await bootstrapSchema(store, path)).toBe("wrote-configured");
    expect(await bootstrapSchema(store, path)).toBe("kept");
    await store.importRelationships([rel("document:plan#editor@user:ann")]);
    const without = await file(SCHEMA.replace("  relation editor: user\n", ""));
    await expectSchemaRefusal(
      bootstrapSchema(store, without),
      "- relation 'document#editor' is removed: 1 relationship: document:plan#editor@user:ann",
      "  delete it: latch rel delete --filter 'document#editor'",
    );
    expect((await store.readSchema())?.text).toBe(SCHEMA);
    await store.close();
  });
});
