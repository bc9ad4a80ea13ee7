// The store conformance suite: one body of tests that every Store implementation must pass.

import { describe } from "vitest";
import { describeDeleteMatchingConformance } from "./conformance/delete-matching.js";
import { describeGarbageCollectionConformance } from "./conformance/garbage-collection.js";
import { describeImportConformance } from "./conformance/import.js";
import { describeQueryConformance } from "./conformance/queries.js";
import { describeReplayProperty } from "./conformance/replay-property.js";
import { describeSchemaConformance } from "./conformance/schema.js";
import { describeTokenConformance } from "./conformance/tokens.js";
import { describeWatchConformance } from "./conformance/watch.js";
import { describeWriteConformance } from "./conformance/writes.js";
import type { MakeStore } from "./store-test-helpers.js";

/** ConformanceOptions tune the suite to a store's speed. */
export interface ConformanceOptions {
  /** Runs of the replay property (default 100); a store whose fresh instances cost a database round trip or more takes fewer. */
  readonly propertyRuns?: number;
}

/**
 * describeStoreConformance registers the conformance suite for the store that makeStore opens,
 * fresh and empty and with the options a test gives, for each test; the suite closes it afterwards.
 */
export function describeStoreConformance(
  name: string,
  makeStore: MakeStore,
  options: ConformanceOptions = {},
): void {
  describe(`${name} store conformance`, () => {
    describeWriteConformance(makeStore);
    describeQueryConformance(makeStore);
    describeDeleteMatchingConformance(makeStore);
    describeWatchConformance(makeStore);
    describeGarbageCollectionConformance(makeStore);
    describeTokenConformance(makeStore);
    describeSchemaConformance(makeStore);
    describeImportConformance(makeStore);
    describeReplayProperty(makeStore, options.propertyRuns);
  });
}
