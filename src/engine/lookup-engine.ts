// The lookup engine: LookupResources and LookupSubjects over a schema, confirmed by a check engine.

import type { CompiledSchema } from "../schema/compiled-schema.js";
import type { SnapshotReader } from "../store/store.js";
import { type CheckEngine, createCheckEngine } from "./check-engine.js";
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
 * LookupEngineOptions configure the engine. The check engine confirms every candidate; pass the
 * service's own (with its dispatcher chain) so that lookups share its cache. It defaults to a
 * local check engine over the schema.
 */
export interface LookupEngineOptions {
  readonly schema: CompiledSchema;
  readonly checkEngine?: CheckEngine;
}

/** createLookupEngine returns a lookup engine over a schema and a check engine. */
export function createLookupEngine(options: LookupEngineOptions): LookupEngine {
  const dependencies = {
    schema: options.schema,
    checkEngine: options.checkEngine ?? createCheckEngine({ schema: options.schema }),
  };
  return {
    lookupResources: (reader, request) => lookupResources(dependencies, reader, request),
    lookupSubjects: (reader, request) => lookupSubjects(dependencies, reader, request),
  };
}
