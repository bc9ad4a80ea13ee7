// Cached answers that used the server's time: shared within their second, never served past it.

import { afterEach, describe, expect, it } from "vitest";
import { ChangeTracker } from "../../src/cache/change-tracker.js";
import { MemoryResultCache } from "../../src/cache/memory-result-cache.js";
import { createCachingDispatcher } from "../../src/dispatch/caching-dispatcher.js";
import { createLocalDispatcher } from "../../src/dispatch/local-dispatcher.js";
import { createSingleflightDispatcher } from "../../src/dispatch/singleflight-dispatcher.js";
import { type CheckRequest, createCheckEngine } from "../../src/engine/check-engine.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import type { Store } from "../../src/store/store.js";
import { at, serverTimeSchema, writeBusinessHoursGrant } from "./server-time-fixture.js";

const open: { store: Store; tracker: ChangeTracker }[] = [];
afterEach(async () => {
  for (const { store, tracker } of open.splice(0)) {
    tracker.close();
    await store.close();
  }
});

/** setUp loads alice's business-hours grant on folder eng, which holds document plan. */
async function setUp() {
  const store = createMemoryStore();
  const tracker = new ChangeTracker(store, await store.headRevision());
  open.push({ store, tracker });
  const revision = await writeBusinessHoursGrant(store);
  expect(await tracker.waitFor(revision, 1000)).toBe(true);
  const engine = createCheckEngine({
    schema: serverTimeSchema(),
    dispatcher: createCachingDispatcher({
      cache: new MemoryResultCache(),
      tracker,
      next: createSingleflightDispatcher(createLocalDispatcher()),
      keyPrefix: "test|",
    }),
  });
  /** The clock the engine is given: the time a snapshot is evaluated at. */
  const readerAt = (time: number) => store.snapshot(revision, new Date(time));
  return { engine, readerAt };
}

const question = (type: string, id: string): CheckRequest => ({
  resource: { type, id },
  permission: "view",
  subject: { type: "user", id: "alice" },
});
const plan = question("document", "plan");

describe("a cached answer that used the server's time", () => {
  it("answers its own second, from the cache, and not one millisecond past it", async () => {
    const { engine, readerAt } = await setUp();
    expect(await engine.check(readerAt(at("16:59:59.200")), plan)).toMatchObject({
      result: "allowed",
      servedFromCache: false,
      validUntil: at("17:00:00"),
    });
    // The same second: the same cache entry (the server's time is not part of its key).
    expect(await engine.check(readerAt(at("16:59:59.600")), plan)).toMatchObject({
      result: "allowed",
      servedFromCache: true,
    });
    expect(engine.answerAtOnce(plan, at("16:59:59.999"))).toMatchObject({ result: "allowed" });
    // At once, in the next second: nothing, so the store is read and the time seen again.
    expect(engine.answerAtOnce(plan, at("17:00:00.000"))).toBeUndefined();
    expect(await engine.check(readerAt(at("17:00:00.000")), plan)).toMatchObject({
      result: "denied",
      servedFromCache: false,
      validUntil: at("17:00:01"),
    });
    expect(engine.answerAtOnce(plan, at("17:00:00.999"))).toMatchObject({ result: "denied" });
    expect(engine.answerAtOnce(plan, at("17:00:01.000"))).toBeUndefined();
  });

  it("is not reused as a sub-problem in a later second", async () => {
    const { engine, readerAt } = await setUp();
    // Only the folder's answer is cached at 16:59:59; the document's walk needs it at 17:00.
    expect(
      (await engine.check(readerAt(at("16:59:59.500")), question("folder", "eng"))).result,
    ).toBe("allowed");
    expect(await engine.check(readerAt(at("17:00:00.100")), plan)).toMatchObject({
      result: "denied",
      servedFromCache: false,
    });
  });

  it("from CheckBulk, answers at once only within its second", async () => {
    const { engine, readerAt } = await setUp();
    const items = await engine.checkBulk(readerAt(at("08:59:59.900")), [
      plan,
      question("folder", "eng"),
    ]);
    expect(items.map((item) => item.ok && item.result.result)).toEqual(["denied", "denied"]);
    expect(engine.answerAtOnce(plan, at("08:59:59.999"))).toMatchObject({ result: "denied" });
    expect(engine.answerAtOnce(plan, at("09:00:00.000"))).toBeUndefined();
    expect((await engine.check(readerAt(at("09:00:00.000")), plan)).result).toBe("allowed");
  });
});
