// The store conformance suite: one body of tests that every Store implementation must pass.

import { describe } from "vitest";
import type { Store } from "../../src/store/store.js";
import { describeDeleteMatchingConformance } from "./conformance/delete-matching.js";
import { describeQueryConformance } from "./conformance/queries.js";
import { describeReplayProperty } from "./conformance/replay-property.js";
import { describeWatchConformance } from "./conformance/watch.js";
import { describeWriteConformance } from "./conformance/writes.js";

/** ConformanceOptions tune the suite to a store's speed. */
export interface ConformanceOptions {
  /** Runs of the replay property (default 100); a store whose fresh instances cost a database round trip or more takes fewer. */
  readonly propertyRuns?: number;
}

/**
 * describeStoreConformance registers the conformance suite for the store that makeStore opens,
 * fresh and empty, for each test; the suite closes it afterwards.
 */
export function describeStoreConformance(
  name: string,
  makeStore: () => Promise<Store>,
  options: ConformanceOptions = {},
): void {
  describe(`${name} store conformance`, () => {
    describeWriteConformance(makeStore);
    describeQueryConformance(makeStore);
    describeDeleteMatchingConformance(makeStore);
    describeWatchConformance(makeStore);
    describeReplayProperty(makeStore, options.propertyRuns);
  });
}
