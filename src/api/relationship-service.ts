// latch.v1.RelationshipService: writes, deletes, reads, the change stream, import and export.

import type { ServiceImpl } from "@connectrpc/connect";
import { RESERVED_PREFIX } from "../agents/suspension-names.js";
import { requireDefinition } from "../engine/lookup-validation.js";
import {
  type RelationshipService,
  RelationshipUpdate_Operation,
  type RelationshipUpdate as RelationshipUpdateMessage,
  WatchChange_Operation,
} from "../gen/latch/v1/relationship_service_pb.js";
import { decodeToken } from "../revision/consistency-token.js";
import type { Revision } from "../revision/revision.js";
import type { CompiledSchema } from "../schema/compiled-schema.js";
import { relationshipTest } from "../store/memory/filter-match.js";
import type {
  ChangeEvent,
  ChangeKind,
  RelationshipFilter,
  RelationshipUpdate,
} from "../store/store.js";
import { checkWriteSize } from "../store/write-limits.js";
import type { Relationship } from "../tuple/relationship.js";
import { relationshipKey } from "../tuple/relationship-key.js";
import { type ApiContext, readAt, schemaAtHead, tokenFor } from "./api-context.js";
import { readRelationshipCursor } from "./convert/read-cursor.js";
import { readType } from "./convert/read-refs.js";
import { readFilter, readPrecondition, readRelationship } from "./convert/read-relationship.js";
import { relationshipMessage } from "./convert/write-messages.js";
import { checkFilterFits } from "./filter-fit.js";
import { RequestError } from "./request-error.js";
import { refuseReservedType } from "./reserved-types.js";
import { checkRelationshipFits } from "./schema-fit.js";
import { writeUnderSchema } from "./write-under-schema.js";

const OPERATIONS = {
  [RelationshipUpdate_Operation.CREATE]: "create",
  [RelationshipUpdate_Operation.TOUCH]: "touch",
  [RelationshipUpdate_Operation.DELETE]: "delete",
} as const;

const CHANGE_OPERATIONS: Record<ChangeKind, WatchChange_Operation> = {
  touch: WatchChange_Operation.TOUCH,
  delete: WatchChange_Operation.DELETE,
  expire: WatchChange_Operation.EXPIRE,
};

/** createRelationshipService implements the relationship service over the API context. */
export function createRelationshipService(
  context: ApiContext,
): ServiceImpl<typeof RelationshipService> {
  const { store, limits } = context;
  return {
    async writeRelationships(request) {
      // Refused before the request is read: reading 100,000 preconditions is work of its own.
      checkWriteSize(store.writeLimits, request.updates.length, request.preconditions.length);
      const preconditions = request.preconditions.map((p, i) =>
        readPrecondition(`preconditions[${i}]`, p),
      );
      const { revision, deleted } = await writeUnderSchema(context, (schema) => {
        preconditions.forEach(({ filter }, i) => {
          checkFilterFits(schema.compiled, `preconditions[${i}].filter`, filter);
        });
        return { updates: checkedUpdates(schema.compiled, request.updates), preconditions };
      });
      return { writtenAt: tokenFor(context, revision), deletedCount: BigInt(deleted) };
    },

    async deleteRelationships(request) {
      checkWriteSize(store.writeLimits, 0, request.preconditions.length);
      const filter = readFilter("filter", request.filter, "require-some-field");
      if (filter.resourceType !== undefined) {
        refuseReservedType("filter.resource_type", filter.resourceType);
      }
      const preconditions = request.preconditions.map((p, i) =>
        readPrecondition(`preconditions[${i}]`, p),
      );
      const schema = (await schemaAtHead(context)).compiled;
      checkFilterFits(schema, "filter", filter);
      preconditions.forEach((p, i) => {
        checkFilterFits(schema, `preconditions[${i}].filter`, p.filter);
      });
      const limit = request.limit === 0 ? undefined : request.limit;
      // A filter that names no type (`@agent:bot`) matches suspensions too: AgentService alone
      // lifts them, recording who and why.
      const { revision, deleted } = await store.deleteMatching(
        { ...filter, exceptResourceTypePrefix: RESERVED_PREFIX },
        limit,
        { preconditions, partial: request.allowPartial },
      );
      return { deletedAt: tokenFor(context, revision), deletedCount: BigInt(deleted) };
    },

    async *readRelationships(request, call) {
      const filter = readFilter("filter", request.filter, "may-be-empty");
      let after = readRelationshipCursor("cursor", request.cursor);
      const read = await readAt(context, "consistency", request.consistency, call.signal);
      checkFilterFits(read.schema.compiled, "filter", filter);
      let remaining = request.limit === 0 ? Number.POSITIVE_INFINITY : request.limit;
      while (remaining > 0 && !call.signal.aborted) {
        const limit = Math.min(remaining, limits.maxPageSize);
        const page = await read.reader.query(filter, {
          limit,
          ...(after === undefined ? {} : { after }),
        });
        for (const relationship of page) {
          after = relationshipKey(relationship);
          yield {
            relationship: relationshipMessage(relationship),
            readAt: read.token,
            afterCursor: after,
          };
        }
        remaining -= page.length;
        if (page.length < limit) return;
      }
    },

    async *watch(request, { signal }) {
      const types = request.resourceTypes.map((type, i) => readType(`resource_types[${i}]`, type));
      const filters = request.filters.map((f, i) => readFilter(`filters[${i}]`, f, "may-be-empty"));
      if (types.length > 0 || filters.length > 0) {
        const schema = await schemaAtHead(context);
        types.forEach((type, i) => {
          requireDefinition(schema.compiled, `resource_types[${i}]`, type);
        });
        filters.forEach((filter, i) => {
          checkFilterFits(schema.compiled, `filters[${i}]`, filter);
        });
      }
      const since: Revision =
        request.since === ""
          ? await store.headRevision()
          : decodeToken(request.since, store.storeId);
      // A checkpoint needs every revision to pass by: the store then filters nothing.
      const storeTypes = request.checkpoints ? [] : types;
      const events = store.watch(since, {
        signal,
        ...(storeTypes.length === 0 ? {} : { resourceTypes: storeTypes }),
      });
      const wanted = changeTest(request.checkpoints ? types : [], filters);
      // One response per revision, or several for a large one: only the response that ends the
      // revision carries `changes_through`, the token that resumes after it.
      let batch: ChangeEvent[] = [];
      // Whether part of the current revision was sent: its end must be, changes or none.
      let begun = false;
      for await (const change of events) {
        if (wanted === undefined || wanted(change.relationship)) batch.push(change);
        if (change.lastInRevision) {
          if (batch.length > 0) yield watchResponse(context, batch, "ends-revision");
          else if (begun || request.checkpoints) {
            yield { changes: [], changesThrough: tokenFor(context, change.revision) };
          }
          batch = [];
          begun = false;
        } else if (batch.length >= limits.maxPageSize) {
          yield watchResponse(context, batch, "more-to-come");
          batch = [];
          begun = true;
        }
      }
      // The change stream never ends by itself: it stopped because the call did, and the call's
      // status says why (UNAVAILABLE when the server shuts down, so that the client resumes).
      signal.throwIfAborted();
    },

    async importRelationships(requests, call) {
      const schema = await schemaAtHead(context);
      let index = 0;
      async function* relationships(): AsyncGenerator<Relationship> {
        for await (const batch of requests) {
          for (const message of batch.relationships) {
            const field = `relationships[${index++}]`;
            const relationship = readRelationship(field, message);
            checkRelationshipFits(schema.compiled, field, relationship);
            yield relationship;
          }
        }
        // A cancelled call is not the end of the client's input: nothing may be written.
        if (call.signal.aborted) throw call.signal.reason;
      }
      const { revision, imported } = await store.importRelationships(relationships(), {
        schemaRevision: schema.revision,
      });
      return { importedCount: BigInt(imported), writtenAt: tokenFor(context, revision) };
    },

    async *exportRelationships(request, call) {
      const filter = readFilter("filter", request.filter, "may-be-empty");
      let after = readRelationshipCursor("cursor", request.cursor);
      const read = await readAt(context, "consistency", request.consistency, call.signal);
      checkFilterFits(read.schema.compiled, "filter", filter);
      while (!call.signal.aborted) {
        const page = await read.reader.query(filter, {
          limit: limits.maxPageSize,
          ...(after === undefined ? {} : { after }),
        });
        if (page.length === 0) return;
        after = relationshipKey(page[page.length - 1]!);
        yield {
          relationships: page.map(relationshipMessage),
          afterCursor: after,
          exportedAt: read.token,
        };
        if (page.length < limits.maxPageSize) return;
      }
    },
  };
}

/** checkedUpdates converts the request's updates, each checked against the schema. */
function checkedUpdates(
  schema: CompiledSchema,
  updates: readonly RelationshipUpdateMessage[],
): RelationshipUpdate[] {
  return updates.map((update, i) => {
    const field = `updates[${i}]`;
    const operation = OPERATIONS[update.operation as keyof typeof OPERATIONS];
    if (operation === undefined) {
      throw new RequestError(
        `${field}.operation`,
        `${field}.operation must be OPERATION_CREATE, OPERATION_TOUCH or OPERATION_DELETE`,
      );
    }
    const relationship = readRelationship(`${field}.relationship`, update.relationship);
    refuseReservedType(`${field}.relationship.resource.type`, relationship.resource.type);
    // A delete of a relationship the schema no longer allows must still be possible.
    if (operation !== "delete") {
      checkRelationshipFits(schema, `${field}.relationship`, relationship);
    }
    return { operation, relationship };
  });
}

/**
 * changeTest passes the relationships on one of types (when some are given) that match one of
 * filters (when some are given); undefined when neither narrows the stream.
 */
function changeTest(
  types: readonly string[],
  filters: readonly RelationshipFilter[],
): ((relationship: Relationship) => boolean) | undefined {
  const tests = filters.map((filter) => relationshipTest(filter) ?? (() => true));
  if (types.length === 0 && tests.length === 0) return undefined;
  return (relationship) =>
    (types.length === 0 || types.includes(relationship.resource.type)) &&
    (tests.length === 0 || tests.some((test) => test(relationship)));
}

/** watchResponse is a batch of one revision's changes; `changes_through` only on its last. */
function watchResponse(
  context: ApiContext,
  batch: readonly ChangeEvent[],
  end: "ends-revision" | "more-to-come",
) {
  const token = tokenFor(context, batch[0]!.revision);
  return {
    changes: batch.map((event) => ({
      operation: CHANGE_OPERATIONS[event.kind],
      relationship: relationshipMessage(event.relationship),
      changedAt: token,
    })),
    changesThrough: end === "ends-revision" ? token : "",
  };
}
