// authzed.api.v1.SchemaService, answered by Latch's schema service: the schema text, and its reflection.

import type { v1 } from "@authzed/authzed-node";
import { create } from "@bufbuild/protobuf";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { loadUserSchema } from "../agents/builtin-schema.js";
import { NoSchemaError } from "../api/api-error.js";
import { RequestError } from "../api/request-error.js";
import {
  ReadSchemaRequestSchema,
  type SchemaService,
  ValidateSchemaRequestSchema,
  WriteSchemaRequestSchema,
} from "../gen/latch/v1/schema_service_pb.js";
import { formatDiagnostic } from "../schema/diagnostic.js";
import { expandPartials } from "../schema/expand-partials.js";
import { answered } from "./error-reasons.js";
import { computablePermissions, dependentRelations } from "./schema-dependencies.js";
import { type DiffedSchema, diffSchemas } from "./schema-diff.js";
import { filterReflection, reflectSchema } from "./schema-reflection.js";
import { zedToken } from "./translate-core.js";

/**
 * createSchemaService answers SpiceDB's SchemaService with Latch's schema service: ReadSchema and
 * WriteSchema pass the text unchanged (the schema language is the same); ReflectSchema,
 * DiffSchema, DependentRelations and ComputablePermissions read the stored schema (the newest,
 * whatever the request's consistency) and describe it. ExperimentalService's methods of the same
 * names take the same messages, field for field, and are answered by these.
 */
export function createSchemaService(schema: ServiceImpl<typeof SchemaService>) {
  /**
   * stored is the stored schema, described, and the token it was read at; before any schema was
   * written, an empty one (which a diff finds everything added to).
   */
  const stored = async (context: HandlerContext) => {
    try {
      const read = await schema.readSchema(create(ReadSchemaRequestSchema), context);
      return { ...describeStored(read.schema ?? ""), readAt: zedToken(read.readAt) };
    } catch (error) {
      if (!(error instanceof NoSchemaError)) throw error;
      return { ...describeStored(""), readAt: undefined };
    }
  };
  // The stored schema changes rarely and is described on every call: the last one is kept.
  let last: { readonly text: string; readonly described: DiffedSchema } | undefined;
  const describeStored = (text: string) => {
    if (last?.text !== text) last = { text, described: describe(text, "schema") };
    return last.described;
  };

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

    reflectSchema(request: v1.ReflectSchemaRequest, context: HandlerContext) {
      return answered(
        () => stored(context),
        ({ reflection, readAt }): v1.ReflectSchemaResponse => {
          const { definitions, caveats } = filterReflection(reflection, request.optionalFilters);
          return { definitions: [...definitions], caveats: [...caveats], readAt };
        },
      );
    },

    diffSchema(request: v1.DiffSchemaRequest, context: HandlerContext) {
      const text = request.comparisonSchema;
      return answered(
        async () => {
          const checked = await schema.validateSchema(
            create(ValidateSchemaRequestSchema, { schema: text }),
            context,
          );
          const listed = (checked.diagnostics ?? []).map(
            (d) => `comparison_schema:${d.line}:${d.column}: ${d.message}`,
          );
          if (listed.length > 0) throw schemaErrors("comparison_schema", listed);
          return {
            existing: await stored(context),
            comparison: describe(text, "comparison_schema"),
          };
        },
        ({ existing, comparison }): v1.DiffSchemaResponse => ({
          diffs: diffSchemas(existing, comparison).map((diff) => ({ diff })),
          readAt: existing.readAt,
        }),
      );
    },

    dependentRelations(request: v1.DependentRelationsRequest, context: HandlerContext) {
      return answered(
        () => stored(context),
        ({ compiled, readAt }): v1.DependentRelationsResponse => ({
          relations: dependentRelations(compiled, request.definitionName, request.permissionName),
          readAt,
        }),
      );
    },

    computablePermissions(request: v1.ComputablePermissionsRequest, context: HandlerContext) {
      const { definitionName, relationName, optionalDefinitionNameFilter } = request;
      return answered(
        () => stored(context),
        ({ compiled, readAt }): v1.ComputablePermissionsResponse => ({
          permissions: computablePermissions(
            compiled,
            definitionName,
            relationName,
            optionalDefinitionNameFilter,
          ),
          readAt,
        }),
      );
    },
  };
}

/**
 * describe compiles schema text already checked (stored, or validated off the event loop) and
 * reflects it, its partials spliced in; field names the text in the error of one that does not load.
 */
function describe(text: string, field: string): DiffedSchema {
  const loaded = loadUserSchema(text);
  if (!loaded.ok) {
    throw schemaErrors(
      field,
      loaded.diagnostics.map((d) => formatDiagnostic(field, d)),
    );
  }
  return { reflection: reflectSchema(expandPartials(loaded.ast).ast), compiled: loaded.schema };
}

/** schemaErrors refuses the schema text of field, its errors listed as `field:LINE:COLUMN: message`. */
function schemaErrors(field: string, listed: readonly string[]): RequestError {
  return new RequestError(field, `${field}: the schema has errors:\n${listed.join("\n")}`);
}
