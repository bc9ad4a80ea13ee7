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
 * `optional_start_cursor` (from now without one), for the object types asked. Relationship
 * filters are refused UNIMPLEMENTED (Latch's stream filters by resource type only); schema
 * updates and checkpoints are not sent.
 */
export function createWatchService(relationships: ServiceImpl<typeof RelationshipService>) {
  return {
    watch(request: v1.WatchRequest, context: HandlerContext) {
      if (request.optionalRelationshipFilters.length > 0) {
        throw new ConnectError(
          "optional_relationship_filters: Latch's change stream filters by object type only (optional_object_types)",
          Code.Unimplemented,
        );
      }
      const watch = create(WatchRequestSchema, {
        resourceTypes: request.optionalObjectTypes,
        since: request.optionalStartCursor?.token ?? "",
      });
      return streamed(
        () => relationships.watch(watch, context),
        (batch): v1.WatchResponse => ({
          updates: (batch.changes ?? []).map((change) => ({
            operation: OPERATIONS[change.operation ?? WatchChange_Operation.UNSPECIFIED],
            relationship: spiceRelationship(change.relationship ?? {}),
          })),
          changesThrough: zedToken(batch.changesThrough),
          schemaUpdated: false,
          isCheckpoint: false,
          fullRevisionMetadata: [],
        }),
      );
    },
  };
}
