// Relationship writes checked against the current schema, and committed only while it is current.

import type {
  Precondition,
  RelationshipUpdate,
  RelationshipWriteOptions,
  RelationshipWriteResult,
} from "../store/store.js";
import { StoreError } from "../store/store.js";
import { type ApiContext, schemaAtHead } from "./api-context.js";
import type { ActiveSchema } from "./schema-source.js";

/**
 * PreparedWrite is what a write applies: its updates, after its preconditions hold, each as stamp
 * makes it of the write's revision (see {@link RelationshipWriteOptions}).
 */
export interface PreparedWrite {
  readonly updates: readonly RelationshipUpdate[];
  readonly preconditions?: readonly Precondition[];
  readonly stamp?: RelationshipWriteOptions["stamp"];
}

/**
 * writeUnderSchema writes what prepare makes of the schema current at the store's head (prepare
 * throws to refuse), only if that schema is still current when the write commits: a schema
 * written in between makes the store refuse, and prepare runs once more against the new one.
 */
export async function writeUnderSchema(
  context: ApiContext,
  prepare: (schema: ActiveSchema) => PreparedWrite,
): Promise<RelationshipWriteResult> {
  for (let attempt = 1; ; attempt++) {
    const schema = await schemaAtHead(context);
    const { updates, preconditions = [], stamp } = prepare(schema);
    try {
      return await context.store.write(updates, preconditions, {
        schemaRevision: schema.revision,
        ...(stamp === undefined ? {} : { stamp }),
      });
    } catch (error) {
      if (attempt === 2 || !(error instanceof StoreError && error.code === "schema-changed")) {
        throw error;
      }
    }
  }
}
