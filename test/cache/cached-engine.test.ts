// Property: with writes interleaved, the engine behind the cache answers exactly as the engine without it.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ChangeTracker } from "../../src/cache/change-tracker.js";
import { MemoryResultCache } from "../../src/cache/memory-result-cache.js";
import { createCachingDispatcher } from "../../src/dispatch/caching-dispatcher.js";
import { createLocalDispatcher } from "../../src/dispatch/local-dispatcher.js";
import { createSingleflightDispatcher } from "../../src/dispatch/singleflight-dispatcher.js";
import { createCheckEngine } from "../../src/engine/check-engine.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import { formatRelationship, formatSubjectRef } from "../../src/tuple/format-relationship.js";
import type { Relationship } from "../../src/tuple/relationship.js";
import { relationshipKey } from "../../src/tuple/relationship-key.js";
import { checkUniverse, fixedNow, scenario } from "../generators/index.js";

/** The generated times are within a day of fixedNow; the store refuses expiries in the past, so all move 30 days ahead of now. */
const SHIFT_MS = Date.now() + 30 * 86_400_000 - fixedNow.getTime();
const shifted = (rel: Relationship): Relationship =>
  rel.expiresAt === undefined
    ? rel
    : { ...rel, expiresAt: new Date(rel.expiresAt.getTime() + SHIFT_MS) };
const evaluationTime = new Date(fixedNow.getTime() + SHIFT_MS);
const MAX_QUESTIONS = 60;

describe("the cached engine", () => {
  it("answers exactly as the uncached engine at the same revision, across writes", async () => {
    // Answers given at once (from the in-process cache, no promise) are held to the same oracle.
    let answeredAtOnce = 0;
    await fc.assert(
      fc.asyncProperty(
        scenario(),
        fc.array(fc.array(fc.nat(), { maxLength: 4 }), { minLength: 2, maxLength: 5 }),
        async ({ schemaCase, relationships, context }, steps) => {
          const { schema } = schemaCase;
          const all = relationships.map(shifted);
          const store = createMemoryStore({ maxUpdatesPerWrite: 10_000 });
          const tracker = new ChangeTracker(store, await store.headRevision());
          try {
            const local = createLocalDispatcher();
            const cached = createCheckEngine({
              schema,
              dispatcher: createCachingDispatcher({
                cache: new MemoryResultCache(),
                tracker,
                next: createSingleflightDispatcher(local),
                keyPrefix: "test|",
              }),
            });
            const uncached = createCheckEngine({ schema, dispatcher: local });
            const questions = checkUniverse(schema, relationships).slice(0, MAX_QUESTIONS);
            // Half the relationships at first; each step then flips some in or out.
            const live = new Set(all.filter((_, i) => i % 2 === 0).map(relationshipKey));
            const write = async (
              touched: readonly Relationship[],
              removed: readonly Relationship[],
            ) => {
              const updates = [
                ...touched.map((relationship) => ({ operation: "touch" as const, relationship })),
                ...removed.map((relationship) => ({ operation: "delete" as const, relationship })),
              ];
              if (updates.length === 0) return;
              const { revision } = await store.write(updates);
              expect(await tracker.waitFor(revision, 5000)).toBe(true);
            };
            await write(
              all.filter((r) => live.has(relationshipKey(r))),
              [],
            );
            for (const flips of [[], ...steps]) {
              const flipped = [
                ...new Set(flips.map((i) => all[i % Math.max(all.length, 1)])),
              ].filter((r): r is Relationship => r !== undefined);
              const added = flipped.filter((r) => !live.has(relationshipKey(r)));
              const removed = flipped.filter((r) => live.has(relationshipKey(r)));
              for (const r of added) live.add(relationshipKey(r));
              for (const r of removed) live.delete(relationshipKey(r));
              await write(added, removed);
              const reader = store.snapshot(tracker.appliedRevision, evaluationTime);
              for (const question of questions) {
                const request = { ...question, context };
                const atOnce = cached.answerAtOnce(request, evaluationTime.getTime());
                const [got, want] = await Promise.all([
                  atOnce ?? cached.check(reader, request),
                  uncached.check(reader, request),
                ]);
                if (atOnce !== undefined) answeredAtOnce++;
                const label = `${question.resource.type}:${question.resource.id}#${question.permission}@${formatSubjectRef(question.subject)}\n${schemaCase.text}\nlive:\n${all
                  .filter((r) => live.has(relationshipKey(r)))
                  .map(formatRelationship)
                  .join("\n")}`;
                expect({ kind: got.result, missing: got.missing }, label).toEqual({
                  kind: want.result,
                  missing: want.missing,
                });
              }
            }
          } finally {
            tracker.close();
            await store.close();
          }
        },
      ),
      { numRuns: 60 },
    );
    expect(answeredAtOnce).toBeGreaterThan(0);
  }, 300_000);
});
