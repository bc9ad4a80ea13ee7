// What every service needs: the store, its schema, the limits, and reads resolved to a snapshot.

import { type Context as OtelContext, context as otelContext } from "@opentelemetry/api";
import type { ChangeTracker } from "../cache/change-tracker.js";
import type { DecisionLog } from "../decisions/decision-log.js";
import { DEFAULT_MAX_DEPTH } from "../engine/check-engine.js";
import type { Consistency as ConsistencyMessage } from "../gen/latch/v1/core_pb.js";
import { chooseReadRevision } from "../revision/consistency.js";
import { encodeToken } from "../revision/consistency-token.js";
import type { Revision } from "../revision/revision.js";
import type { Head, SnapshotReader, Store } from "../store/store.js";
import { tracedReader } from "../store/traced-reader.js";
import type { LatchMetrics } from "../telemetry/metrics.js";
import type { TraceSettings } from "../telemetry/tracing.js";
import { abortableReader } from "./abortable-reader.js";
import { NoSchemaError } from "./api-error.js";
import { readConsistency } from "./convert/read-consistency.js";
import type { ActiveSchema, Engines, SchemaSource } from "./schema-source.js";

/** ApiLimits bound the work one request may ask for. */
export interface ApiLimits {
  /** The most items of one CheckBulk. */
  readonly maxBulkChecks: number;
  /** The most relationships one ReadRelationships page, or one export batch, holds. */
  readonly maxPageSize: number;
  /** How many levels a check may descend before it fails with RESOURCE_EXHAUSTED. */
  readonly maxDepth: number;
}

/** DEFAULT_API_LIMITS are SpiceDB's defaults where it has one. */
export const DEFAULT_API_LIMITS: ApiLimits = {
  maxBulkChecks: 1000,
  maxPageSize: 1000,
  maxDepth: DEFAULT_MAX_DEPTH,
};

/** ApiContext is what the services share. */
export interface ApiContext {
  readonly store: Store;
  readonly schemas: SchemaSource;
  readonly limits: ApiLimits;
  /** The change tracker behind the result cache: reads at its revision may use the cache. */
  readonly tracker: ChangeTracker;
  readonly metrics: LatchMetrics;
  /** The caveat parameters a request's context may not hold (LATCH_SERVER_CONTEXT). */
  readonly serverContext: ReadonlySet<string>;
  /** The `type#relation`s a denied member may ask for (LATCH_REQUESTABLE); empty computes none. */
  readonly requestable: ReadonlySet<string>;
  /** Where each decision is recorded (the log's mode says whether a response waits for it). */
  readonly decisions: DecisionLog;
  /** How calls are traced; without it, store queries are no spans. */
  readonly tracing?: TraceSettings;
}

/**
 * ReadPoint is where a request reads: a revision, as a token too, the schema, and the engines for
 * it (cached when the revision is the change tracker's).
 */
export interface ReadPoint {
  readonly revision: Revision;
  readonly token: string;
  readonly schema: ActiveSchema;
  readonly engines: Engines;
}

/** SnapshotRead is a request's read point with the reader of its snapshot. */
export interface SnapshotRead extends ReadPoint {
  readonly reader: SnapshotReader;
  /**
   * The call's trace, taken when it asked for the read: what runs after the read's await makes
   * it active again (the active context does not cross awaits), so the engine's spans are the
   * call's.
   */
  readonly trace: OtelContext;
}

/** The last token made per store: most answers in a row are at the same revision. */
const lastTokens = new WeakMap<Store, { readonly revision: Revision; readonly token: string }>();

/** tokenFor is the consistency token of a revision of the context's store. */
export function tokenFor(context: ApiContext, revision: Revision): string {
  const { store } = context;
  const last = lastTokens.get(store);
  if (last?.revision === revision) return last.token;
  // Encoding hashes the payload: worth doing once per revision, not once per answer.
  const token = encodeToken({ storeId: store.storeId, revision });
  lastTokens.set(store, { revision, token });
  return token;
}

/**
 * readAt resolves the consistency at field to a snapshot of the store, evaluated now, and the
 * engines to use: cached where the consistency allows reading at the change tracker's revision
 * (see {@link chooseReadRevision}). Reads through the snapshot stop once signal (the call's
 * deadline or cancellation) aborts.
 */
export async function readAt(
  context: ApiContext,
  field: string,
  consistency: ConsistencyMessage | undefined,
  signal: AbortSignal,
): Promise<SnapshotRead> {
  // The call's trace, taken before the first await loses it: the reader's queries are its spans.
  const traced = otelContext.active();
  const wanted = readConsistency(field, consistency);
  const latest = wanted.kind === "minimize-latency" ? latestReadPoint(context) : undefined;
  if (latest !== undefined) return withReader(context, latest, signal, traced);
  const { store, tracker } = context;
  const head = await store.head();
  const source = {
    storeId: store.storeId,
    headRevision: async () => head.revision,
    oldestRevision: () => store.oldestRevision(),
  };
  const read = await chooseReadRevision(wanted, source, tracker);
  const schema = await schemaOf(context, head);
  const point = readPoint(context, read.revision, schema, read.cached ? "cached" : "fresh");
  return withReader(context, point, signal, traced);
}

/**
 * latestReadPoint is where `minimize_latency` reads, known without a round trip to the store: the
 * change tracker's revision, with the schema compiled here; undefined until a schema is, and while
 * the tracker is stale (then readAt reads the head).
 */
export function latestReadPoint(context: ApiContext): ReadPoint | undefined {
  const schema = context.schemas.latest;
  if (schema === undefined || context.tracker.stale) return undefined;
  const revision = context.tracker.appliedRevision;
  const last = lastLatest.get(context);
  if (last?.revision === revision && last.schema === schema) return last;
  const latest = readPoint(context, revision, schema, "cached");
  lastLatest.set(context, latest);
  return latest;
}

/** The last latest read point per context: it changes only with a change or a schema applied. */
const lastLatest = new WeakMap<ApiContext, ReadPoint>();

function readPoint(
  context: ApiContext,
  revision: Revision,
  schema: ActiveSchema,
  engines: "cached" | "fresh",
): ReadPoint {
  return { revision, token: tokenFor(context, revision), schema, engines: schema[engines] };
}

function withReader(
  context: ApiContext,
  point: ReadPoint,
  signal: AbortSignal,
  parent: OtelContext,
): SnapshotRead {
  const snapshot = context.store.snapshot(point.revision, new Date());
  const { tracing } = context;
  const traced =
    tracing === undefined ? snapshot : tracedReader(snapshot, tracing.identifiers, parent);
  return { ...point, reader: abortableReader(traced, signal), trace: parent };
}

/** schemaAtHead is the schema current at the store's head, for writes. */
export async function schemaAtHead(context: ApiContext): Promise<ActiveSchema> {
  return schemaOf(context, await context.store.head());
}

async function schemaOf(context: ApiContext, head: Head): Promise<ActiveSchema> {
  const schema = await context.schemas.at(head.schemaRevision);
  if (schema === undefined) throw new NoSchemaError();
  return schema;
}
