// The lookup engine: LookupResources and LookupSubjects over a schema, confirmed by a check engine.

import type { SnapshotReader } from "../store/store.js";
import type { LookupDependencies } from "./lookup-dependencies.js";
import {
  type LookupResourcesItem,
  type LookupResourcesRequest,
  lookupResources,
} from "./lookup-resources.js";
import {
  type LookupSubjectsItem,
  type LookupSubjectsRequest,
  lookupSubjects,
} from "./lookup-subjects.js";

/** LookupEngine answers LookupResources and LookupSubjects at a snapshot. */
export interface LookupEngine {
  /** lookupResources streams the resources a subject has a permission on: see {@link lookupResources}. */
  lookupResources(
    reader: SnapshotReader,
    request: LookupResourcesRequest,
  ): AsyncIterable<LookupResourcesItem>;
  /** lookupSubjects lists the subjects with a permission on a resource: see {@link lookupSubjects}. */
  lookupSubjects(
    reader: SnapshotReader,
    request: LookupSubjectsRequest,
  ): Promise<LookupSubjectsItem[]>;
}

/**
 * createLookupEngine returns a lookup engine over a schema and a check engine: pass the service's
 * own (with its dispatcher chain), so that lookups share its cache.
 */
export function createLookupEngine(dependencies: LookupDependencies): LookupEngine {
  return {
    lookupResources: (reader, request) => lookupResources(dependencies, reader, request),
    lookupSubjects: (reader, request) => lookupSubjects(dependencies, reader, request),
  };
}
