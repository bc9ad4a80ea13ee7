// Which answers are computed ahead: those near an expiry, and those of the server's time once asked again.

import { afterEach, describe, expect, it } from "vitest";
import { ExpiryRefresher } from "../../src/dispatch/expiry-refresh.js";
import type { CheckEngine, CheckRequest, CheckResult } from "../../src/engine/check-engine.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import type { Store } from "../../src/store/store.js";
import { rev } from "../store/store-test-helpers.js";

const open: Store[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((store) => store.close()));
});

/** recordingEngine answers nothing itself; it records the times its checks are evaluated at. */
function recordingEngine(): { engine: Pick<CheckEngine, "check">; refreshedAt: number[] } {
  const refreshedAt: number[] = [];
  const engine: Pick<CheckEngine, "check"> = {
    async check(reader) {
      refreshedAt.push(reader.now.getTime());
      return { result: "denied", missing: [], validUntil: Infinity, servedFromCache: false };
    },
  };
  return { engine, refreshedAt };
}

const question: CheckRequest = {
  resource: { type: "document", id: "plan" },
  permission: "view",
  subject: { type: "user", id: "alice" },
};

function answer(validUntil: number, servedFromCache: boolean): CheckResult {
  return { result: "allowed", missing: [], validUntil, servedFromCache };
}

describe("the expiry refresher", () => {
  it("computes ahead an answer whose expiry is near, as of the expiry", () => {
    const store = createMemoryStore();
    open.push(store);
    const { engine, refreshedAt } = recordingEngine();
    const refresher = new ExpiryRefresher(store);
    // Just past a whole second, expiring 300 ms later: not the end of the decision's second.
    const evaluatedAt = Math.floor(Date.now() / 1000) * 1000 + 100;
    refresher.consider(rev(1), engine, question, answer(evaluatedAt + 300, false), evaluatedAt);
    refresher.consider(rev(1), engine, question, answer(evaluatedAt + 300, false), evaluatedAt);
    expect(refreshedAt).toEqual([evaluatedAt + 300]);
  });

  it("computes ahead an answer that ends with its second only once it is asked again", () => {
    const store = createMemoryStore();
    open.push(store);
    const { engine, refreshedAt } = recordingEngine();
    const refresher = new ExpiryRefresher(store);
    const evaluatedAt = Date.now();
    const secondEnd = Math.floor(evaluatedAt / 1000) * 1000 + 1000;
    refresher.consider(rev(1), engine, question, answer(secondEnd, false), evaluatedAt);
    expect(refreshedAt).toEqual([]);
    refresher.consider(rev(1), engine, question, answer(secondEnd, true), evaluatedAt);
    expect(refreshedAt).toEqual([secondEnd]);
  });
});
