// authzed.api.v1.WatchService, answered by Latch's change stream (RelationshipService.Watch).

import { v1 } from "@authzed/authzed-node";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import {
  type RelationshipService,
  WatchChange_Operation,
  WatchRequestSchema,
} from "../gen/latch/v1/relationship_service_pb.js";
import { streamed } from "./error-reasons.js";
import { spiceRelationship, zedToken } from "./translate-core.js";
import { latchFilter } from "./translate-filter.js";

/**
 * The operation each change is reported with: an expiry removes the relationship as a delete
 * does (SpiceDB reports an expired relationship's removal as a DELETE too).
 */
const OPERATIONS: Readonly<Record<WatchChange_Operation, v1.RelationshipUpdate_Operation>> = {
  [WatchChange_Operation.UNSPECIFIED]: v1.RelationshipUpdate_Operation.UNSPECIFIED,
  [WatchChange_Operation.TOUCH]: v1.RelationshipUpdate_Operation.TOUCH,
  [WatchChange_Operation.DELETE]: v1.RelationshipUpdate_Operation.DELETE,
  [WatchChange_Operation.EXPIRE]: v1.RelationshipUpdate_Operation.DELETE,
};

/**
 * createWatchService answers SpiceDB's Watch with Latch's change stream, from the ZedToken in
 * `optional_start_cursor` (from now without one), for the object types asked and the changes
 * matching any of `optional_relationship_filters`. With WATCH_KIND_INCLUDE_CHECKPOINTS, a
 * revision whose changes the filters all left out is sent as a checkpoint carrying its token.
 * Schema updates are refused: Latch's change stream carries relationship changes only.
 */
export function createWatchService(relationships: ServiceImpl<typeof RelationshipService>) {
  return {
    watch(request: v1.WatchRequest, context: HandlerContext) {
      const kinds = request.optionalUpdateKinds;
      const schemaKind = kinds.indexOf(v1.WatchKind.INCLUDE_SCHEMA_UPDATES);
      if (schemaKind >= 0) {
        throw new ConnectError(
          `optional_update_kinds[${schemaKind}]: WATCH_KIND_INCLUDE_SCHEMA_UPDATES is not supported; Latch's change stream carries relationship changes only (read schema changes with ReadSchema)`,
          Code.Unimplemented,
        );
      }
      const watch = create(WatchRequestSchema, {
        resourceTypes: request.optionalObjectTypes,
        since: request.optionalStartCursor?.token ?? "",
        filters: request.optionalRelationshipFilters.map(
          (filter, i) => latchFilter(`optional_relationship_filters[${i}]`, filter) ?? {},
        ),
        checkpoints: kinds.includes(v1.WatchKind.INCLUDE_CHECKPOINTS),
      });
      return streamed(
        () => relationships.watch(watch, context),
        (batch): v1.WatchResponse => {
          const changes = batch.changes ?? [];
          return {
            updates: changes.map((change) => ({
              operation: OPERATIONS[change.operation ?? WatchChange_Operation.UNSPECIFIED],
              relationship: spiceRelationship(change.relationship ?? {}),
            })),
            changesThrough: zedToken(batch.changesThrough),
            schemaUpdated: false,
            isCheckpoint: changes.length === 0,
            fullRevisionMetadata: [],
          };
        },
      );
    },
  };
}
