// Validates lookup requests against the schema before any read, naming the offending field.

import type { CompiledSchema } from "../schema/compiled-schema.js";
import { EngineError } from "./engine-error.js";

/** requireDefinition rejects a type the schema does not define, naming the request field. */
export function requireDefinition(schema: CompiledSchema, field: string, type: string): void {
  if (!schema.definitions.has(type))
    throw new EngineError("invalid-argument", `${field}: the schema has no definition '${type}'`);
}

/** requireMember rejects a relation or permission that `type` lacks, naming the request field. */
export function requireMember(
  schema: CompiledSchema,
  field: string,
  type: string,
  name: string,
): void {
  if (!schema.member(type, name)) {
    throw new EngineError(
      "invalid-argument",
      `${field}: definition '${type}' has no relation or permission '${name}'`,
    );
  }
}

/** requireLimit rejects a page size that is not a positive integer. */
export function requireLimit(limit: number | undefined): void {
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 1))
    throw new EngineError("invalid-argument", `limit: must be a positive integer, got ${limit}`);
}
