// What a schema write's check reads of the store: one probe per removal, nothing when nothing is removed.

import { describe, expect, it } from "vitest";
import { loadServedSchema } from "../../src/agents/builtin-schema.js";
import { SchemaConflictError } from "../../src/api/api-error.js";
import { storeFitCheck } from "../../src/api/schema-fit.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import type { LiveRelationships, Store } from "../../src/store/store.js";
import { rel } from "../store/store-test-helpers.js";
import { expectSchemaRefusal } from "./schema-refusal.js";

const SCHEMA = `definition user {}

definition group {
  relation member: user
}

definition document {
  relation viewer: user | group#member
}
`;

function compiled(text: string) {
  const loaded = loadServedSchema(text);
  if (!loaded.ok) throw new Error(loaded.diagnostics.map((d) => d.message).join("\n"));
  return loaded.schema;
}

/** writeRecorded writes text through storeFitCheck, recording each read the check makes. */
async function writeRecorded(store: Store, text: string): Promise<string[]> {
  const reads: string[] = [];
  const check = storeFitCheck(compiled(text));
  await store.writeSchema(text, (previous, live) => {
    const recording: LiveRelationships = {
      find: (filter, limit) => {
        reads.push(`find ${JSON.stringify(filter)} ${limit}`);
        return live.find(filter, limit);
      },
      count: (filter, cap) => {
        reads.push(`count ${JSON.stringify(filter)} ${cap}`);
        return live.count(filter, cap);
      },
      shapes: () => {
        reads.push("shapes");
        return live.shapes();
      },
    };
    return check(previous, recording);
  });
  return reads;
}

describe("storeFitCheck", () => {
  it("reads no relationship for a schema that removes nothing, and one probe per removal", async () => {
    const store = createMemoryStore();
    await writeRecorded(store, SCHEMA);
    await store.importRelationships([
      rel("document:plan#viewer@user:ann"),
      rel("group:eng#member@user:ann"),
    ]);
    const added = SCHEMA.replace("definition user {}", "definition user {}\n\ndefinition team {}");
    expect(await writeRecorded(store, added)).toEqual([]);
    const noSets = added.replace(" | group#member", "");
    expect(await writeRecorded(store, noSets)).toEqual([
      'find {"resourceType":"document","relation":"viewer","subjectType":"group","subjectRelation":"member","wildcard":false,"expiring":false} 3',
    ]);
    // A definition removed takes its suspensions' four shapes (object or wildcard, expiring or not)
    // from the built-in latch/suspension: one probe each.
    const suspensionShape = (wildcard: boolean, expiring: boolean) =>
      `find {"resourceType":"latch/suspension","relation":"suspended","subjectType":"team","wildcard":${wildcard},"caveat":"latch/suspension_note","expiring":${expiring}} 3`;
    expect(await writeRecorded(store, noSets.replace("definition team {}", ""))).toEqual([
      'find {"resourceType":"team"} 3',
      suspensionShape(false, false),
      suspensionShape(false, true),
      suspensionShape(true, false),
      suspensionShape(true, true),
    ]);
    await store.close();
  });

  it("reads the shapes of every relationship when there is no schema to compare with", async () => {
    const store = createMemoryStore();
    await store.importRelationships([
      rel("document:plan#viewer@user:ann"),
      rel("folder:eng#viewer@user:ann"),
    ]);
    await expectSchemaRefusal(
      writeRecorded(store, SCHEMA),
      "- definition 'folder' is removed: 1 relationship: folder:eng#viewer@user:ann",
      "  delete it: latch rel delete --filter 'folder'",
    );
    await store.close();
  });

  it("details ten removals and counts the rest", async () => {
    const store = createMemoryStore();
    const names = Array.from({ length: 12 }, (_, i) => `rel${i}`);
    const wide = `definition user {}\n\ndefinition document {\n${names.map((n) => `  relation ${n}: user\n`).join("")}}\n`;
    await writeRecorded(store, wide);
    await store.importRelationships(names.map((n) => rel(`document:plan#${n}@user:ann`)));
    await expectSchemaRefusal(
      writeRecorded(store, "definition user {}\n\ndefinition document {}\n"),
      ...names
        .slice(0, 10)
        .flatMap((name) => [
          `- relation 'document#${name}' is removed: 1 relationship: document:plan#${name}@user:ann`,
          `  delete it: latch rel delete --filter 'document#${name}'`,
        ]),
      "- 2 more removals orphan relationships too: delete those above and write the schema again to see them",
    );
    await store.close();
  });

  it("refuses to remove or retype the parameters of a caveat that relationships carry, and takes new ones", async () => {
    const store = createMemoryStore();
    const caveated = (parameters: string, expression: string) =>
      `caveat in_region(${parameters}) {\n  ${expression}\n}\n\ndefinition user {}\n\ndefinition document {\n  relation viewer: user | user with in_region\n  relation editor: user with in_region\n}\n`;
    const first = caveated("region string, allowed list<string>", "region in allowed");
    await writeRecorded(store, first);
    // Carried by none: the parameters change as freely as the expression, one probe per use.
    const retyped = caveated(
      "region string, allowed list<int>",
      "allowed.size() > 0 && region != ''",
    );
    const probes = [
      'find {"resourceType":"document","relation":"viewer","subjectType":"user","wildcard":false,"caveat":"in_region","expiring":false} 3',
      'find {"resourceType":"document","relation":"editor","subjectType":"user","wildcard":false,"caveat":"in_region","expiring":false} 3',
    ];
    expect(await writeRecorded(store, retyped)).toEqual(probes);
    await store.importRelationships([
      rel('document:plan#viewer@user:ann[in_region:{"allowed":[1]}]'),
      rel("document:plan#editor@user:bob[in_region]"),
      rel("document:plan#viewer@user:cat"),
    ]);
    const refused = async (text: string, ...lines: string[]) => {
      const error = await writeRecorded(store, text).then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(SchemaConflictError);
      expect((error as Error).message).toBe(
        [
          "a caveat's parameters cannot be removed or given another type while relationships carry the caveat, holding values of them as declared:",
          ...lines,
          "  define a caveat under a new name and write the relationships with it (or delete them), then change or remove the old one",
        ].join("\n"),
      );
      expect((await store.readSchema())?.text).toBe(retyped);
    };
    await refused(
      caveated("region string, allowed list<string>", "region in allowed"),
      `- caveat 'in_region': parameter 'allowed' changes type from list<int> to list<string>; 2 relationships carry it: document:plan#editor@user:bob[in_region], document:plan#viewer@user:ann[in_region:{"allowed":[1]}]`,
    );
    await refused(
      caveated("allowed string", "allowed != ''"),
      `- caveat 'in_region': parameter 'region' (string) is removed; parameter 'allowed' changes type from list<int> to string; 2 relationships carry it: document:plan#editor@user:bob[in_region], document:plan#viewer@user:ann[in_region:{"allowed":[1]}]`,
    );
    // Reordered, rewritten and added to: every parameter keeps its name and type. No read.
    const grown = caveated(
      "level int, allowed list<int>, region string",
      "region != '' || level > 2",
    );
    expect(await writeRecorded(store, grown)).toEqual([]);
    await store.close();
  });
});
