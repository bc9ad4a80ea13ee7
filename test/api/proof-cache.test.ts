// The decision log's proofs: started as an answer is given, taken when the log writes, and made
// anew when the store did not answer.

import { afterEach, describe, expect, it } from "vitest";
import { AccessGrantLinks } from "../../src/api/access-grant-links.js";
import type { ReadPoint } from "../../src/api/api-context.js";
import { ProofCache } from "../../src/api/proof-cache.js";
import { storeFitCheck } from "../../src/api/schema-fit.js";
import { SchemaSource } from "../../src/api/schema-source.js";
import { ChangeTracker } from "../../src/cache/change-tracker.js";
import type { CheckRequest } from "../../src/engine/check-engine.js";
import type { Revision } from "../../src/revision/revision.js";
import { loadSchema } from "../../src/schema/load-schema.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import { type Store, StoreUnavailableError } from "../../src/store/store.js";
import { parseRelationship } from "../../src/tuple/parse-relationship.js";
import { waitFor } from "../support/wait-for.js";

const SCHEMA = `
definition user {}

definition document {
  relation viewer: user
  permission view = viewer
}
`;

const QUESTION: CheckRequest = {
  resource: { type: "document", id: "plan" },
  permission: "view",
  subject: { type: "user", id: "alice" },
};

const trackers: ChangeTracker[] = [];
afterEach(() => {
  for (const tracker of trackers.splice(0)) tracker.close();
});

/**
 * proofSetup is a proof cache over a memory store holding alice's grant, the read point of its
 * head, and the store's reads as the proofs make them: counted, and failing while `down` is set.
 */
async function proofSetup() {
  const store = createMemoryStore();
  const loaded = loadSchema(SCHEMA);
  if (!loaded.ok) throw new Error(loaded.diagnostics.map((d) => d.message).join("\n"));
  await store.writeSchema(SCHEMA, storeFitCheck(loaded.schema));
  const grant = parseRelationship("document:plan#viewer@user:alice");
  if (!grant.ok) throw new Error(grant.error.message);
  await store.write([{ operation: "touch", relationship: grant.value }]);
  const reads = { count: 0, down: false };
  const counted: Store = Object.create(store, {
    snapshot: {
      value: (at: Revision, now: Date) => {
        const snapshot = store.snapshot(at, now);
        return {
          ...snapshot,
          query: (...args: Parameters<typeof snapshot.query>) => {
            reads.count++;
            if (reads.down) return Promise.reject(new StoreUnavailableError("the store is down"));
            return snapshot.query(...args);
          },
        };
      },
    },
  });
  const head = await store.head();
  const tracker = new ChangeTracker(store, head.revision);
  trackers.push(tracker);
  const schema = await new SchemaSource(store).at(head.schemaRevision);
  if (schema === undefined) throw new Error("no schema");
  const at: ReadPoint = { revision: head.revision, token: "t", schema, engines: schema.fresh };
  const proofs = new ProofCache(counted, tracker, new AccessGrantLinks(counted));
  const answer = await schema.fresh.checks.check(
    store.snapshot(head.revision, new Date()),
    QUESTION,
  );
  return { proofs, at, answer, reads, store, tracker };
}

describe("ProofCache.proving", () => {
  it("starts the proof as the answer is given, and gives the log that proof", async () => {
    const { proofs, at, answer, reads } = await proofSetup();
    expect(answer.result).toBe("allowed");
    const source = proofs.proving(at, QUESTION, answer, Date.now());
    // Nobody asked for it yet: the proof is under way all the same.
    await waitFor("the proof's reads", () => reads.count > 0, 5_000);
    const proof = await source();
    expect(proof.grantedBy?.map((g) => g.relationship)).toEqual([
      "document:plan#viewer@user:alice",
    ]);
    const afterProof = reads.count;
    // The answers after it, at its revision, share it: no evaluation again.
    expect(proofs.known(at, QUESTION, answer, Date.now())).toBe(proof);
    expect(reads.count).toBe(afterProof);
  });

  it("makes the proof anew when the log asks again after the store did not answer", async () => {
    const { proofs, at, answer, reads } = await proofSetup();
    reads.down = true;
    const source = proofs.proving(at, QUESTION, answer, Date.now());
    await expect(source()).rejects.toThrow(StoreUnavailableError);
    reads.down = false;
    const proof = await source();
    expect(proof.grantedBy?.map((g) => g.relationship)).toEqual([
      "document:plan#viewer@user:alice",
    ]);
  });
});

describe("ProofCache.known", () => {
  it("gives each answer the proof of its revision, and at a later one while no set it read changed", async () => {
    const { proofs, at, answer, reads, store, tracker } = await proofSetup();
    const proof = await proofs.prove(at, QUESTION, answer, Date.now());
    expect(proofs.known(at, QUESTION, answer, Date.now())).toBe(proof);

    /** writeAt writes a relationship and is the read point of the revision it made, once applied. */
    const writeAt = async (relationship: string): Promise<ReadPoint> => {
      const parsed = parseRelationship(relationship);
      if (!parsed.ok) throw new Error(parsed.error.message);
      const { revision } = await store.write([{ operation: "touch", relationship: parsed.value }]);
      expect(await tracker.waitFor(revision, 5_000)).toBe(true);
      return { ...at, revision };
    };
    // A write to a set the proof did not read: a later answer shares it.
    const unrelated = await writeAt("document:other#viewer@user:bob");
    expect(proofs.known(unrelated, QUESTION, answer, Date.now())).toBe(proof);
    // A write to a set it read: no proof is known for answers from then on.
    const related = await writeAt("document:plan#viewer@user:carol");
    expect(proofs.known(related, QUESTION, answer, Date.now())).toBeUndefined();
    const reproved = await proofs.prove(related, QUESTION, answer, Date.now());
    expect(proofs.known(related, QUESTION, answer, Date.now())).toBe(reproved);
    // An answer given at the first revision still gets the proof of that revision.
    const before = reads.count;
    expect(proofs.known(at, QUESTION, answer, Date.now())).toBe(proof);
    expect(reads.count).toBe(before);
    // A different answer is not proven by it.
    expect(proofs.known(at, QUESTION, { ...answer, result: "denied" }, Date.now())).toBeUndefined();
  });
});
