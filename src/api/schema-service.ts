// latch.v1.SchemaService: write, read and validate the schema in SpiceDB's language.

import type { ServiceImpl } from "@connectrpc/connect";
import { loadServedSchema } from "../agents/builtin-schema.js";
import type { SchemaService } from "../gen/latch/v1/schema_service_pb.js";
import { type Diagnostic, formatDiagnostic } from "../schema/diagnostic.js";
import { type ApiContext, tokenFor } from "./api-context.js";
import { NoSchemaError } from "./api-error.js";
import { RequestError } from "./request-error.js";
import { createSchemaChecks, type SchemaChecks } from "./schema-checks.js";
import { storeFitCheck } from "./schema-fit.js";

/**
 * createSchemaService implements the schema service over the API context. Schema text from a
 * request is checked off the event loop first (checks), so that no schema, however large or
 * broken, delays other calls longer than compiling one that is known to load.
 */
export function createSchemaService(
  context: ApiContext,
  checks: SchemaChecks = createSchemaChecks(),
): ServiceImpl<typeof SchemaService> {
  const { store, schemas } = context;
  return {
    async writeSchema(request) {
      const text = request.schema;
      const found = await checks.check(text);
      if (found.length > 0) throw schemaErrors(found);
      const loaded = loadServedSchema(text);
      if (!loaded.ok) throw schemaErrors(loaded.diagnostics);
      const { revision } = await store.writeSchema(
        text,
        storeFitCheck(loaded.schema, schemas.latest),
      );
      schemas.activate(text, revision, loaded.schema);
      return { writtenAt: tokenFor(context, revision) };
    },

    async readSchema() {
      const head = await store.head();
      const schema = await schemas.at(head.schemaRevision);
      if (schema === undefined) throw new NoSchemaError();
      return { schema: schema.text, readAt: tokenFor(context, head.revision) };
    },

    async validateSchema(request) {
      const diagnostics = await checks.check(request.schema);
      return { diagnostics: diagnostics.map(diagnosticMessage) };
    },
  };
}

/** schemaErrors refuses a schema with every error listed, as `schema:LINE:COLUMN: message`. */
function schemaErrors(diagnostics: readonly Diagnostic[]): RequestError {
  const listed = diagnostics.map((d) => formatDiagnostic("schema", d)).join("\n");
  return new RequestError("schema", `schema: the schema has errors:\n${listed}`);
}

function diagnosticMessage({ code, message, span }: Diagnostic) {
  return {
    message,
    code,
    line: span.start.line,
    column: span.start.column,
    endLine: span.end.line,
    endColumn: span.end.column,
  };
}
