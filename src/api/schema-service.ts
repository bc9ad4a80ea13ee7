// latch.v1.SchemaService: write, read and validate the schema in SpiceDB's language.

import type { ServiceImpl } from "@connectrpc/connect";
import type { SchemaService } from "../gen/latch/v1/schema_service_pb.js";
import { type Diagnostic, formatDiagnostic } from "../schema/diagnostic.js";
import { loadSchema } from "../schema/load-schema.js";
import { type ApiContext, tokenFor } from "./api-context.js";
import { NoSchemaError } from "./api-error.js";
import { RequestError } from "./request-error.js";
import { checkShapesFit } from "./schema-fit.js";

/** MAX_SCHEMA_LENGTH bounds a schema's text, as SpiceDB bounds its schema size. */
const MAX_SCHEMA_LENGTH = 4 * 1024 * 1024;

/** createSchemaService implements the schema service over the API context. */
export function createSchemaService(context: ApiContext): ServiceImpl<typeof SchemaService> {
  const { store, schemas } = context;
  return {
    async writeSchema(request) {
      const text = checkLength(request.schema);
      const loaded = loadSchema(text);
      if (!loaded.ok) {
        const listed = loaded.diagnostics.map((d) => formatDiagnostic("schema", d)).join("\n");
        throw new RequestError("schema", `schema: the schema has errors:\n${listed}`);
      }
      const { revision } = await store.writeSchema(text, (shapes) =>
        checkShapesFit(loaded.schema, shapes),
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
      const loaded = loadSchema(checkLength(request.schema));
      return { diagnostics: loaded.ok ? [] : loaded.diagnostics.map(diagnosticMessage) };
    },
  };
}

function checkLength(text: string): string {
  if (text.length > MAX_SCHEMA_LENGTH) {
    throw new RequestError(
      "schema",
      `schema: ${text.length} characters is more than the limit of ${MAX_SCHEMA_LENGTH}`,
    );
  }
  return text;
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
