// The memory store: the conformance suite, plus what only the memory store promises.

import { afterEach, describe, expect, it, vi } from "vitest";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import { describeStoreConformance } from "./store-conformance.js";
import { describeEvent, expectStoreError, rel, rev, take, touch } from "./store-test-helpers.js";

describeStoreConformance("memory", async (options) => createMemoryStore(options));

describe("memory store", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("takes its update limit from maxUpdatesPerWrite", async () => {
    const store = createMemoryStore({ maxUpdatesPerWrite: 2 });
    const updates = ["a", "b", "c"].map((id) => touch(`document:${id}#viewer@user:alice`));
    await store.write(updates.slice(0, 2));
    await expectStoreError(store.write(updates), "too-many-updates", "at most 2", "3 were given");
    expect(() => createMemoryStore({ maxUpdatesPerWrite: 0 })).toThrow(RangeError);
  });

  it("rejects every call after close", async () => {
    const store = createMemoryStore();
    await store.close();
    await expect(store.headRevision()).rejects.toThrow("closed");
    await expect(store.write([])).rejects.toThrow("closed");
    await expect(store.deleteMatching({})).rejects.toThrow("closed");
    await expect(store.snapshot(rev(0), new Date()).query({})).rejects.toThrow("closed");
    await expect(take(store.watch(rev(0)), 1)).rejects.toThrow("closed");
  });

  it("logs expiries in expiry order, each once, at revisions of their own", async () => {
    vi.useFakeTimers({ now: new Date("2030-01-01T00:00:00Z") });
    const store = createMemoryStore();
    const expiring = (text: string, iso: string) => ({
      operation: "touch" as const,
      relationship: { ...rel(text), expiresAt: new Date(iso) },
    });
    await store.write([
      expiring("document:late#viewer@user:alice", "2030-01-01T00:00:02Z"),
      expiring("document:b#viewer@user:alice", "2030-01-01T00:00:01Z"),
      expiring("document:a#viewer@user:alice", "2030-01-01T00:00:01Z"),
      expiring("document:far#viewer@user:alice", "2030-03-01T00:00:00Z"),
    ]);
    await vi.advanceTimersByTimeAsync(1000);
    await store.write([touch("document:c#viewer@user:bob")]);
    await vi.advanceTimersByTimeAsync(1000);
    // Past setTimeout's longest delay, so the timer has to re-arm on the way.
    await vi.advanceTimersByTimeAsync(60 * 86_400_000);
    const events = await take(store.watch(rev(0)), 9);
    expect(events.map(describeEvent)).toEqual([
      "1 touch document:late#viewer@user:alice",
      "1 touch document:b#viewer@user:alice",
      "1 touch document:a#viewer@user:alice",
      "1 touch document:far#viewer@user:alice",
      "2 expire document:a#viewer@user:alice",
      "2 expire document:b#viewer@user:alice",
      "3 touch document:c#viewer@user:bob",
      "4 expire document:late#viewer@user:alice",
      "5 expire document:far#viewer@user:alice",
    ]);
    await store.close();
  });

  it("delivers an expire event to a watch started after the last write", async () => {
    vi.useFakeTimers({ now: new Date("2030-01-01T00:00:00Z") });
    const store = createMemoryStore();
    await store.write([
      {
        operation: "touch",
        relationship: {
          ...rel("document:a#viewer@user:alice"),
          expiresAt: new Date("2030-01-01T00:00:01Z"),
        },
      },
    ]);
    const watching = take(store.watch(rev(1)), 1);
    await vi.advanceTimersByTimeAsync(1000);
    expect((await watching).map(describeEvent)).toEqual(["2 expire document:a#viewer@user:alice"]);
    await store.close();
  });
});
