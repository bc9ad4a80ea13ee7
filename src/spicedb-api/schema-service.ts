// authzed.api.v1.SchemaService's ReadSchema and WriteSchema, answered by Latch's schema service.

import type { v1 } from "@authzed/authzed-node";
import { create } from "@bufbuild/protobuf";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import {
  ReadSchemaRequestSchema,
  type SchemaService,
  WriteSchemaRequestSchema,
} from "../gen/latch/v1/schema_service_pb.js";
import { answered } from "./error-reasons.js";
import { zedToken } from "./translate-core.js";

/**
 * createSchemaService answers SpiceDB's ReadSchema and WriteSchema with Latch's schema service:
 * the schema language is the same, so the text passes unchanged. Schema reflection and diffs
 * (ReflectSchema, ComputablePermissions, DependentRelations, DiffSchema) are not served.
 */
export function createSchemaService(schema: ServiceImpl<typeof SchemaService>) {
  return {
    readSchema(_request: v1.ReadSchemaRequest, context: HandlerContext) {
      return answered(
        () => schema.readSchema(create(ReadSchemaRequestSchema), context),
        (answer): v1.ReadSchemaResponse => ({
          schemaText: answer.schema ?? "",
          readAt: zedToken(answer.readAt),
        }),
      );
    },

    writeSchema(request: v1.WriteSchemaRequest, context: HandlerContext) {
      return answered(
        () =>
          schema.writeSchema(create(WriteSchemaRequestSchema, { schema: request.schema }), context),
        (answer): v1.WriteSchemaResponse => ({ writtenAt: zedToken(answer.writtenAt) }),
      );
    },
  };
}
