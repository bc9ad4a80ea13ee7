// Conformance: the stored schema, its revision, and the shapes a new schema must accept.

import { describe, expect, it } from "vitest";
import type { RelationshipShape } from "../../../src/store/store.js";
import {
  expectStoreError,
  type MakeStore,
  readKeys,
  rel,
  remove,
  rev,
  touch,
  useStore,
} from "../store-test-helpers.js";

/** describeSchemaConformance registers the tests of schema storage. */
export function describeSchemaConformance(makeStore: MakeStore): void {
  describe("schema", () => {
    const store = useStore(makeStore);

    it("is absent until written, then read back with the revision that wrote it", async () => {
      const s = store();
      expect(await s.readSchema()).toBeUndefined();
      expect(await s.head()).toEqual({ revision: rev(0), schemaRevision: rev(0) });
      await s.write([touch("document:a#viewer@user:alice")]);
      const written = await s.writeSchema("definition user {}", () => {});
      expect(written.revision).toBe(rev(2));
      expect(await s.readSchema()).toEqual({ text: "definition user {}", revision: rev(2) });
      await s.write([touch("document:b#viewer@user:bob")]);
      expect(await s.head()).toEqual({ revision: rev(3), schemaRevision: rev(2) });
    });

    it("hands accept the distinct shapes of the live relationships", async () => {
      const s = store();
      const soon = new Date(Date.now() + 60_000);
      const past = new Date(Date.now() + 30);
      await s.write([
        touch("document:a#viewer@user:alice"),
        touch("document:b#viewer@user:bob"),
        touch("document:a#viewer@user:*"),
        touch("document:a#viewer@group:eng#member[only_weekdays]"),
        {
          operation: "touch",
          relationship: { ...rel("document:a#editor@user:carol"), expiresAt: soon },
        },
        {
          operation: "touch",
          relationship: { ...rel("folder:f#viewer@user:dave"), expiresAt: past },
        },
        touch("folder:g#owner@user:erin"),
      ]);
      await s.write([remove("folder:g#owner@user:erin")]);
      await new Promise((resolve) => setTimeout(resolve, 60));
      let seen: readonly RelationshipShape[] = [];
      await s.writeSchema("definition user {}", (shapes) => {
        seen = shapes;
      });
      const order = (a: RelationshipShape, b: RelationshipShape) =>
        JSON.stringify(a) < JSON.stringify(b) ? -1 : 1;
      const viewer = { resourceType: "document", relation: "viewer", subjectType: "user" };
      expect([...seen].sort(order)).toEqual(
        [
          { ...viewer, wildcard: false, expiring: false },
          { ...viewer, wildcard: true, expiring: false },
          {
            ...viewer,
            subjectType: "group",
            subjectRelation: "member",
            wildcard: false,
            caveat: "only_weekdays",
            expiring: false,
          },
          { ...viewer, relation: "editor", wildcard: false, expiring: true },
        ].sort(order),
      );
    });

    it("refuses writes and imports checked against a schema since replaced", async () => {
      const s = store();
      const { revision: first } = await s.writeSchema("definition user {}", () => {});
      await s.write([touch("document:a#viewer@user:alice")], [], { schemaRevision: first });
      const { revision: second } = await s.writeSchema("definition user {}\n", () => {});
      await expectStoreError(
        s.write([touch("document:b#viewer@user:bob")], [], { schemaRevision: first }),
        "schema-changed",
      );
      await expectStoreError(
        s.importRelationships([rel("document:c#viewer@user:carol")], { schemaRevision: first }),
        "schema-changed",
      );
      expect(await readKeys(s)).toEqual(["document:a#viewer@user:alice"]);
      await s.importRelationships([rel("document:c#viewer@user:carol")], {
        schemaRevision: second,
      });
      expect(await readKeys(s)).toHaveLength(2);
    });

    it("is not written when accept throws, and nothing else changes", async () => {
      const s = store();
      await s.writeSchema("definition user {}", () => {});
      const refusal = s.writeSchema("definition other {}", () => {
        throw new Error("document#viewer is used but not defined");
      });
      await expect(refusal).rejects.toThrow("document#viewer is used but not defined");
      expect(await s.readSchema()).toEqual({ text: "definition user {}", revision: rev(1) });
      expect(await s.head()).toEqual({ revision: rev(1), schemaRevision: rev(1) });
    });
  });
}
