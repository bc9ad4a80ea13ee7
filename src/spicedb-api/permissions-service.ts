// authzed.api.v1.PermissionsService, answered by Latch's permission and relationship services.

import { v1 } from "@authzed/authzed-node";
import { create } from "@bufbuild/protobuf";
import { Code, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import { MAX_EXPAND_DEPTH } from "../api/permission-service.js";
import {
  ExpandRequestSchema,
  type PermissionService,
} from "../gen/latch/v1/permission_service_pb.js";
import {
  DeleteRelationshipsRequestSchema,
  ExportRelationshipsRequestSchema,
  ImportRelationshipsRequestSchema,
  ReadRelationshipsRequestSchema,
  type RelationshipService,
  WriteRelationshipsRequestSchema,
} from "../gen/latch/v1/relationship_service_pb.js";
import { ReadSchemaRequestSchema, type SchemaService } from "../gen/latch/v1/schema_service_pb.js";
import { StoreError } from "../store/store.js";
import { answered, streamed, withReason } from "./error-reasons.js";
import {
  latchCheck,
  latchCheckBulk,
  spiceCheckBulkResponse,
  spiceCheckResponse,
  spiceTracedCheckResponse,
} from "./translate-check.js";
import {
  latchConsistency,
  latchObject,
  latchRelationship,
  spiceCursor,
  spiceRelationship,
  zedToken,
} from "./translate-core.js";
import { spiceTree } from "./translate-expand.js";
import { latchFilter, latchPrecondition, requiredFilter } from "./translate-filter.js";
import {
  latchLookupResources,
  latchLookupSubjects,
  spiceResource,
  spiceSubjectFound,
} from "./translate-lookup.js";

/** LatchServices are Latch's own services, unguarded: the SpiceDB API's guard is its own. */
export interface LatchServices {
  readonly permissions: ServiceImpl<typeof PermissionService>;
  readonly relationships: ServiceImpl<typeof RelationshipService>;
  readonly schema: ServiceImpl<typeof SchemaService>;
}

/**
 * createPermissionsService answers SpiceDB's PermissionsService with Latch's services: each
 * request translated to Latch's, each answer back, nothing evaluated twice.
 */
export function createPermissionsService({ permissions, relationships, schema }: LatchServices) {
  /** schemaText is the schema a traced check was answered under (read once it answered). */
  const schemaText = async (context: HandlerContext) =>
    (await schema.readSchema(create(ReadSchemaRequestSchema), context)).schema ?? "";
  return {
    checkPermission(request: v1.CheckPermissionRequest, context: HandlerContext) {
      if (request.withTracing) {
        return answered(
          async () => {
            const answer = await permissions.check(latchCheck(request), context);
            return { answer, schema: await schemaText(context) };
          },
          ({ answer, schema }) => spiceTracedCheckResponse(request, answer, schema),
        );
      }
      return answered(() => permissions.check(latchCheck(request), context), spiceCheckResponse);
    },

    checkBulkPermissions(request: v1.CheckBulkPermissionsRequest, context: HandlerContext) {
      return answered(
        async () => {
          const answer = await permissions.checkBulk(latchCheckBulk(request), context);
          return { answer, schema: request.withTracing ? await schemaText(context) : "" };
        },
        ({ answer, schema }) => spiceCheckBulkResponse(request, answer, schema),
      );
    },

    expandPermissionTree(
      request: v1.ExpandPermissionTreeRequest,
      context: HandlerContext,
    ): Promise<v1.ExpandPermissionTreeResponse> | v1.ExpandPermissionTreeResponse {
      // SpiceDB names a leaf's subject sets and follows arrows to its depth limit.
      const expand = create(ExpandRequestSchema, {
        resource: latchObject(request.resource),
        permission: request.permission,
        consistency: latchConsistency(request.consistency),
        depth: MAX_EXPAND_DEPTH,
        subjectSetsNamed: true,
      });
      return answered(
        () => permissions.expand(expand, context),
        ({ tree, expandedAt }) => ({
          expandedAt: zedToken(expandedAt),
          treeRoot: spiceTree(tree ?? {}),
        }),
      );
    },

    lookupResources(request: v1.LookupResourcesRequest, context: HandlerContext) {
      return streamed(
        () => permissions.lookupResources(latchLookupResources(request), context),
        spiceResource,
      );
    },

    lookupSubjects(request: v1.LookupSubjectsRequest, context: HandlerContext) {
      const withoutWildcards =
        request.wildcardOption === v1.LookupSubjectsRequest_WildcardOption.EXCLUDE_WILDCARDS;
      return streamed(
        () => permissions.lookupSubjects(latchLookupSubjects(request), context),
        (found) =>
          withoutWildcards && found.subjectId === "*" ? undefined : spiceSubjectFound(found),
      );
    },

    readRelationships(request: v1.ReadRelationshipsRequest, context: HandlerContext) {
      return streamed(
        () =>
          relationships.readRelationships(
            create(ReadRelationshipsRequestSchema, {
              filter: requiredFilter("relationship_filter", request.relationshipFilter),
              consistency: latchConsistency(request.consistency),
              limit: request.optionalLimit,
              cursor: request.optionalCursor?.token ?? "",
            }),
            context,
          ),
        (item): v1.ReadRelationshipsResponse => ({
          readAt: zedToken(item.readAt),
          relationship: spiceRelationship(item.relationship ?? {}),
          afterResultCursor: spiceCursor(item.afterCursor),
        }),
      );
    },

    writeRelationships(request: v1.WriteRelationshipsRequest, context: HandlerContext) {
      return answered(
        () =>
          relationships.writeRelationships(
            create(WriteRelationshipsRequestSchema, {
              updates: request.updates.map((update) => ({
                // The operations' numbers are the same in both APIs.
                operation: update.operation,
                relationship:
                  update.relationship === undefined
                    ? undefined
                    : latchRelationship(update.relationship),
              })),
              preconditions: request.optionalPreconditions.map((p, i) =>
                latchPrecondition(`optional_preconditions[${i}]`, p),
              ),
            }),
            context,
          ),
        (answer): v1.WriteRelationshipsResponse => ({ writtenAt: zedToken(answer.writtenAt) }),
      );
    },

    deleteRelationships(request: v1.DeleteRelationshipsRequest, context: HandlerContext) {
      return answered(
        () => deleteMatching(relationships, request, context),
        (answer): v1.DeleteRelationshipsResponse => answer,
      );
    },

    importBulkRelationships(
      requests: AsyncIterable<v1.ImportBulkRelationshipsRequest>,
      context: HandlerContext,
    ) {
      async function* batches() {
        for await (const request of requests) {
          yield create(ImportRelationshipsRequestSchema, {
            relationships: request.relationships.map(latchRelationship),
          });
        }
      }
      return answered(
        () => relationships.importRelationships(batches(), context),
        (answer): v1.ImportBulkRelationshipsResponse => ({
          numLoaded: String(answer.importedCount ?? 0n),
        }),
      );
    },

    exportBulkRelationships(request: v1.ExportBulkRelationshipsRequest, context: HandlerContext) {
      return streamed(
        () =>
          relationships.exportRelationships(
            create(ExportRelationshipsRequestSchema, {
              filter: latchFilter(
                "optional_relationship_filter",
                request.optionalRelationshipFilter,
              ),
              consistency: latchConsistency(request.consistency),
              cursor: request.optionalCursor?.token ?? "",
            }),
            context,
          ),
        (batch): v1.ExportBulkRelationshipsResponse => ({
          afterResultCursor: spiceCursor(batch.afterCursor),
          relationships: (batch.relationships ?? []).map(spiceRelationship),
        }),
      );
    },
  };
}

/**
 * deleteMatching deletes what the filter matches, once the preconditions hold, in one
 * transaction. With a limit, more matches than the limit delete nothing (SpiceDB's answer
 * without `optional_allow_partial_deletions`, given its reason here); with partial deletions
 * allowed, the first `limit` matches are deleted, PARTIAL when the limit was reached.
 */
async function deleteMatching(
  relationships: LatchServices["relationships"],
  request: v1.DeleteRelationshipsRequest,
  context: HandlerContext,
): Promise<v1.DeleteRelationshipsResponse> {
  const limit = request.optionalLimit;
  const latchRequest = create(DeleteRelationshipsRequestSchema, {
    filter: requiredFilter("relationship_filter", request.relationshipFilter),
    limit,
    preconditions: request.optionalPreconditions.map((p, i) =>
      latchPrecondition(`optional_preconditions[${i}]`, p),
    ),
    allowPartial: request.optionalAllowPartialDeletions,
  });
  let answer: Awaited<ReturnType<LatchServices["relationships"]["deleteRelationships"]>>;
  try {
    answer = await relationships.deleteRelationships(latchRequest, context);
  } catch (error) {
    // A valid filter's delete is refused so for one reason: more match than the limit.
    if (limit > 0 && error instanceof StoreError && error.code === "too-many-updates") {
      throw withReason(
        error.message,
        Code.InvalidArgument,
        v1.ErrorReason.TOO_MANY_RELATIONSHIPS_FOR_TRANSACTIONAL_DELETE,
      );
    }
    throw error;
  }
  const deleted = answer.deletedCount ?? 0n;
  const partial = request.optionalAllowPartialDeletions && limit > 0 && deleted === BigInt(limit);
  return {
    deletedAt: zedToken(answer.deletedAt),
    deletionProgress: partial
      ? v1.DeleteRelationshipsResponse_DeletionProgress.PARTIAL
      : v1.DeleteRelationshipsResponse_DeletionProgress.COMPLETE,
    relationshipsDeletedCount: deleted.toString(),
  };
}
