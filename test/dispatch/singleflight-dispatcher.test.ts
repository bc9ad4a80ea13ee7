// The singleflight link: identical sub-problems in flight are computed once, at no cost in exactness.

import { describe, expect, it } from "vitest";
import type { DispatchCheck, Dispatcher } from "../../src/dispatch/dispatcher.js";
import { createSingleflightDispatcher } from "../../src/dispatch/singleflight-dispatcher.js";
import { ALLOWED, DENIED, type Outcome, withDetails } from "../../src/engine/outcome.js";
import { revision } from "../../src/revision/revision.js";
import { loadSchema } from "../../src/schema/load-schema.js";
import type { SnapshotReader } from "../../src/store/store.js";
import { REVOCATION_SCHEMA } from "../bench/revocation-bench-schema.js";

const loaded = loadSchema(REVOCATION_SCHEMA);
if (!loaded.ok) throw new Error("the revocation schema does not load");
const schema = loaded.schema;

/** A next link whose dispatches wait until the test settles them, each with its own outcome. */
function controlledNext() {
  const calls: { request: DispatchCheck; settle: (outcome: Outcome) => void }[] = [];
  const next: Dispatcher = {
    answered: () => undefined,
    dispatchCheck: (request) =>
      new Promise((resolve) => {
        calls.push({
          request,
          settle: (outcome) => resolve(new Map(request.resourceIds.map((id) => [id, outcome]))),
        });
      }),
  };
  return { next, calls };
}

/** dispatch asks for document:plan#view at revision 1, evaluated at time `now`. */
function dispatch(link: Dispatcher, now: number, depthRemaining = 50) {
  const reader: SnapshotReader = {
    revision: revision(1),
    now: new Date(now),
    query: () => Promise.reject(new Error("the controlled link reads nothing")),
  };
  return link.dispatchCheck({
    evaluation: {
      schema,
      reader,
      context: {},
      subject: { type: "user", id: "alice" },
      explain: false,
      dispatcher: link,
      memo: new Map(),
      work: { dispatches: 0, queries: 0 },
    },
    resourceType: "document",
    resourceIds: ["plan"],
    name: "view",
    depthRemaining,
    path: undefined,
    cancellation: { cancelled: false },
  });
}

const T = 1_800_000_000_000;

describe("the singleflight link", () => {
  it("computes a sub-problem once for requests that ask it together", async () => {
    const { next, calls } = controlledNext();
    const link = createSingleflightDispatcher(next);
    const first = dispatch(link, T);
    const second = dispatch(link, T + 5);
    expect(calls).toHaveLength(1);
    calls[0]!.settle(ALLOWED);
    expect((await first).get("plan")?.kind).toBe("allowed");
    expect((await second).get("plan")?.kind).toBe("allowed");
  });

  it("never hands a request an answer evaluated after its own time", async () => {
    const { next, calls } = controlledNext();
    const link = createSingleflightDispatcher(next);
    const ahead = dispatch(link, T + 1_000);
    const present = dispatch(link, T);
    expect(calls).toHaveLength(2);
    // As when the grant expires at T + 1000: denied then, allowed now.
    calls[0]!.settle(DENIED);
    calls[1]!.settle(withDetails(ALLOWED, { validUntil: T + 1_000 }));
    expect((await ahead).get("plan")?.kind).toBe("denied");
    expect((await present).get("plan")?.kind).toBe("allowed");
  });

  it("computes again when what it joined expired before its own time", async () => {
    const { next, calls } = controlledNext();
    const link = createSingleflightDispatcher(next);
    const first = dispatch(link, T);
    const second = dispatch(link, T + 10);
    calls[0]!.settle(withDetails(ALLOWED, { validUntil: T + 10 }));
    await first;
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toHaveLength(2);
    calls[1]!.settle(ALLOWED);
    expect((await second).get("plan")?.validUntil).toBe(Number.POSITIVE_INFINITY);
  });

  it("computes again when what it joined took more depth than it has left", async () => {
    const { next, calls } = controlledNext();
    const link = createSingleflightDispatcher(next);
    const roomy = dispatch(link, T, 50);
    const cramped = dispatch(link, T, 3);
    expect(calls).toHaveLength(1);
    calls[0]!.settle(withDetails(ALLOWED, { depthRequired: 5 }));
    expect((await roomy).get("plan")?.kind).toBe("allowed");
    await new Promise((resolve) => setImmediate(resolve));
    // Computed with 3 levels, the walk would have failed: it is computed again with its own depth.
    expect(calls).toHaveLength(2);
    expect(calls[1]!.request.depthRemaining).toBe(3);
    calls[1]!.settle(DENIED);
    expect((await cramped).get("plan")?.kind).toBe("denied");
  });
});
