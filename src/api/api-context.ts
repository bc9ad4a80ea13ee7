// What every service needs: the store, its schema, the limits, and reads resolved to a snapshot.

import type { Consistency as ConsistencyMessage } from "../gen/latch/v1/core_pb.js";
import { resolveConsistency } from "../revision/consistency.js";
import { encodeToken } from "../revision/consistency-token.js";
import type { Revision } from "../revision/revision.js";
import type { Head, SnapshotReader, Store } from "../store/store.js";
import { abortableReader } from "./abortable-reader.js";
import { NoSchemaError } from "./api-error.js";
import { readConsistency } from "./convert/read-consistency.js";
import type { ActiveSchema, SchemaSource } from "./schema-source.js";

/** ApiLimits bound the work one request may ask for. */
export interface ApiLimits {
  /** The most items of one CheckBulk. */
  readonly maxBulkChecks: number;
  /** The most relationships one ReadRelationships page, or one export batch, holds. */
  readonly maxPageSize: number;
}

/** DEFAULT_API_LIMITS are SpiceDB's defaults where it has one. */
export const DEFAULT_API_LIMITS: ApiLimits = { maxBulkChecks: 1000, maxPageSize: 1000 };

/** ApiContext is what the services share. */
export interface ApiContext {
  readonly store: Store;
  readonly schemas: SchemaSource;
  readonly limits: ApiLimits;
}

/** SnapshotRead is a request's snapshot: the reader, its revision as a token, and the schema. */
export interface SnapshotRead {
  readonly reader: SnapshotReader;
  readonly revision: Revision;
  readonly token: string;
  readonly schema: ActiveSchema;
}

/** tokenFor is the consistency token of a revision of the context's store. */
export function tokenFor(context: ApiContext, revision: Revision): string {
  return encodeToken({ storeId: context.store.storeId, revision });
}

/**
 * readAt resolves the consistency at field to a snapshot of the store, evaluated now, with the
 * schema current at the head. One read of the head serves both. Reads through the snapshot stop
 * once signal (the call's deadline or cancellation) aborts.
 */
export async function readAt(
  context: ApiContext,
  field: string,
  consistency: ConsistencyMessage | undefined,
  signal: AbortSignal,
): Promise<SnapshotRead> {
  const wanted = readConsistency(field, consistency);
  const { store } = context;
  const head = await store.head();
  const revision = await resolveConsistency(wanted, {
    storeId: store.storeId,
    headRevision: async () => head.revision,
    oldestRevision: () => store.oldestRevision(),
  });
  const schema = await schemaOf(context, head);
  return {
    reader: abortableReader(store.snapshot(revision, new Date()), signal),
    revision,
    token: tokenFor(context, revision),
    schema,
  };
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
