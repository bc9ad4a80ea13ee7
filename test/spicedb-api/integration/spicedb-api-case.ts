// A generated case written to Latch through SpiceDB's API, for the differential tests through it.

import { v1 } from "@authzed/authzed-node";
import fc from "fast-check";
import { beforeAll } from "vitest";
import type { CaveatContext } from "../../../src/schema/caveat/compiled-caveat.js";
import { formatRelationship } from "../../../src/tuple/format-relationship.js";
import type { Relationship } from "../../../src/tuple/relationship.js";
import { loadOracleCase, toldAt } from "../../engine/spicedb-case.js";
import { type SchemaCase, scenario } from "../../generators/index.js";
import { type SpiceDbOracle, toRelationship, WRITE_BATCH } from "../../oracle/spicedb-oracle.js";
import { hasCycle, hitsSpiceDbQuirk } from "../../oracle/spicedb-quirks.js";
import { useSpiceDbOracle } from "../../oracle/use-spicedb-oracle.js";
import { consistentAt, FULLY_CONSISTENT, remove, useSpiceTestServer } from "./spicedb-harness.js";

/** ApiSides are the two a differential test through SpiceDB's API asks: SpiceDB, and Latch through the client. */
export interface ApiSides {
  readonly oracle: SpiceDbOracle;
  readonly spice: v1.ZedPromiseClientInterface;
  /** The same client's callback methods, for streams that do not end by themselves (Watch). */
  readonly spiceStreams: v1.ZedClientInterface;
}

/**
 * useApiSides starts, for the enclosing block's tests, an embedded SpiceDB and a Latch server
 * without server context (`now` is told to both) with a schema, and an @authzed/authzed-node client
 * for it; the function it returns gives both to a test.
 */
export function useApiSides(): () => ApiSides {
  const latch = useSpiceTestServer([], "any-token", { serverContext: [] });
  const spicedb = useSpiceDbOracle();
  beforeAll(async () => {
    // loadApiCase reads the relationships to delete, which needs a schema.
    await latch().spice.writeSchema(v1.WriteSchemaRequest.create({ schema: "definition user {}" }));
  });
  return () => ({ oracle: spicedb(), spice: latch().spice, spiceStreams: latch().spiceStreams });
}

/** ApiCase is a generated case SpiceDB and Latch (written through SpiceDB's API) both hold. */
export interface ApiCase {
  /** The relationships SpiceDB holds: generated expiries moved to clearly past or future times. */
  readonly relationships: readonly Relationship[];
  /** Those of them not yet expired: the relationships Latch holds. */
  readonly live: readonly Relationship[];
  /** Latch's reads at least as fresh as the case's writes. */
  readonly consistency: v1.Consistency;
  /** The request's context with the `now` both are told (see toldAt). */
  readonly told: Record<string, unknown>;
}

/** LoadedApiCase is a generated case, as loadApiCase loaded it. */
export interface LoadedApiCase extends ApiCase {
  readonly schemaCase: SchemaCase;
  /** The relationships as generated, the questions' universe. */
  readonly generated: readonly Relationship[];
  /** Names the case in a failure: its schema, relationships and the context told. */
  readonly label: string;
}

/**
 * countOnApiCases runs compare on generated cases SpiceDB answers (no schema it mishandles, no
 * cyclic data: see spicedb-quirks.ts), each loaded into both sides, as many as runs asks; it
 * returns the sum of the counts compare returns (how many answers it compared).
 */
export async function countOnApiCases(
  both: ApiSides,
  runs: { readonly numRuns: number; readonly interruptAfterTimeLimit: number },
  compare: (loaded: LoadedApiCase) => Promise<number>,
): Promise<number> {
  let count = 0;
  await fc.assert(
    fc.asyncProperty(scenario(), async ({ schemaCase, relationships: generated, context }) => {
      fc.pre(!hitsSpiceDbQuirk(schemaCase.schema) && !hasCycle(generated));
      const loaded = await loadApiCase(both, schemaCase.text, generated, context);
      const label = `${schemaCase.text}\n${loaded.relationships.map(formatRelationship).join("\n")}\ncontext ${JSON.stringify(loaded.told)}`;
      count += await compare({ ...loaded, schemaCase, generated, label });
    }),
    runs,
  );
  return count;
}

/**
 * loadApiCase loads a generated schema and its relationships into SpiceDB, and those not yet
 * expired into Latch through the client.
 */
export async function loadApiCase(
  { oracle, spice }: ApiSides,
  schemaText: string,
  generated: readonly Relationship[],
  context: CaveatContext,
): Promise<ApiCase> {
  const { relationships, live } = await loadOracleCase(oracle, schemaText, generated);
  const written = await loadThroughApi(spice, schemaText, live);
  return {
    relationships,
    live,
    consistency: written === undefined ? FULLY_CONSISTENT : consistentAt(written),
    told: toldAt(new Date(), context),
  };
}

/**
 * loadThroughApi empties Latch and writes a case's schema and relationships through SpiceDB's API
 * (spice); it returns the token of the last write, undefined when there was none.
 */
async function loadThroughApi(
  spice: v1.ZedPromiseClientInterface,
  schema: string,
  relationships: readonly Relationship[],
): Promise<v1.ZedToken | undefined> {
  // A read needs a filter; an export without one is every relationship.
  const exported = await spice.exportBulkRelationships(
    v1.ExportBulkRelationshipsRequest.create({ consistency: FULLY_CONSISTENT }),
  );
  const existing = exported.flatMap((batch) => batch.relationships);
  for (let at = 0; at < existing.length; at += WRITE_BATCH) {
    const batch = existing.slice(at, at + WRITE_BATCH);
    await spice.writeRelationships(
      v1.WriteRelationshipsRequest.create({ updates: batch.map(remove) }),
    );
  }
  await spice.writeSchema(v1.WriteSchemaRequest.create({ schema }));
  const updates = relationships.map((r) =>
    v1.RelationshipUpdate.create({
      operation: v1.RelationshipUpdate_Operation.TOUCH,
      relationship: toRelationship(r),
    }),
  );
  let written: v1.ZedToken | undefined;
  for (let at = 0; at < updates.length; at += WRITE_BATCH) {
    const answer = await spice.writeRelationships(
      v1.WriteRelationshipsRequest.create({ updates: updates.slice(at, at + WRITE_BATCH) }),
    );
    written = answer.writtenAt;
  }
  return written;
}
