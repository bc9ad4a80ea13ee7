// Fuzzing the schema text: valid schemas, mutated (tokens dropped, repeated, swapped; random bytes
// and unicode; deep nesting; huge unions and exclusion chains; long names). Whatever the text,
// loading it gives diagnostics and never throws, every diagnostic points inside the text, and
// the formatter round-trips whatever parses.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/schema/diagnostic.js";
import { formatSchema } from "../../src/schema/formatter.js";
import { loadSchema } from "../../src/schema/load-schema.js";
import { parseSchema } from "../../src/schema/parser.js";
import { type Position, positionAt } from "../../src/schema/source-span.js";
import { schemaAst, schemaAstUsingSelf } from "./schema-arbitrary.js";
import { stripSpans } from "./strip-spans.js";

/** A fixed budget: the whole file runs in a few seconds; a failure prints the seed to replay it. */
const RUNS = { numRuns: 150 };

/** Mutation rewrites a schema's text, split into words, punctuation and runs of spaces. */
type Mutation = (pieces: string[]) => string[];

/** at maps a generated index onto the pieces, so that every index means some piece. */
const at = (pieces: readonly string[], index: number) => index % Math.max(1, pieces.length);

const insert = (text: fc.Arbitrary<string>): fc.Arbitrary<Mutation> =>
  fc.tuple(fc.nat(), text).map(
    ([i, t]) =>
      (p) =>
        p.toSpliced(at(p, i), 0, t),
  );

const chain = (operator: string, min: number, max: number) =>
  fc.integer({ min, max }).map((n) => ` ${Array(n).fill("viewer").join(` ${operator} `)} `);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.nat().map((i) => (p: string[]) => p.toSpliced(at(p, i), 1)),
  fc.nat().map((i) => (p: string[]) => p.toSpliced(at(p, i), 0, p[at(p, i)] ?? "")),
  fc.tuple(fc.nat(), fc.nat()).map(([i, j]) => (p: string[]) => {
    const swapped = [...p];
    [swapped[at(p, i)], swapped[at(p, j)]] = [p[at(p, j)] ?? "", p[at(p, i)] ?? ""];
    return swapped;
  }),
  insert(fc.string({ unit: "binary", maxLength: 8 })),
  insert(fc.uint8Array({ maxLength: 8 }).map((bytes) => Buffer.from(bytes).toString("latin1"))),
  insert(fc.constantFrom("{", "}", "(", ")", "/", "*", "#", ":", "|", "->", ".", "\n", "//", "/*")),
  insert(fc.constantFrom(" self ", "use self\n")),
  fc.tuple(fc.nat(), fc.integer({ min: 95, max: 5000 })).map(
    ([i, n]) =>
      (p: string[]) =>
        p.toSpliced(at(p, i), 1, `${"(".repeat(n)}${p[at(p, i)] ?? ""}${")".repeat(n)}`),
  ),
  insert(chain("+", 500, 3000)),
  insert(chain("&", 500, 3000)),
  insert(chain("-", 50, 20_000)),
  fc.tuple(fc.nat(), fc.integer({ min: 60, max: 2000 })).map(
    ([i, n]) =>
      (p: string[]) =>
        p.toSpliced(at(p, i), 1, `n${"a".repeat(n)}`),
  ),
);

/** schemaText is a valid schema (some with `use self` and `self`), then up to four mutations of it. */
const schemaText = fc
  .tuple(
    fc.oneof(schemaAst, schemaAstUsingSelf).map(formatSchema),
    fc.array(mutation, { maxLength: 4 }),
  )
  .map(([text, mutations]) => {
    const pieces: string[] = [...(text.match(/[A-Za-z0-9_]+|[ \t]+|[\s\S]/gu) ?? [])];
    return mutations.reduce((p, m) => m(p), pieces).join("");
  });

/** expectInside fails unless position is a real place in text: its offset, line and column agree. */
function expectInside(text: string, position: Position, diagnostic: Diagnostic): void {
  const where = `${diagnostic.message} at ${JSON.stringify(position)}`;
  expect(position.offset, where).toBeGreaterThanOrEqual(0);
  expect(position.offset, where).toBeLessThanOrEqual(text.length);
  expect(positionAt(text, position.offset), where).toEqual(position);
}

describe("schema text, fuzzed", () => {
  it("loads to a schema or to diagnostics inside the text, never a throw", () => {
    fc.assert(
      fc.property(schemaText, (text) => {
        const loaded = loadSchema(text);
        if (loaded.ok) return;
        expect(loaded.diagnostics.length).toBeGreaterThan(0);
        for (const diagnostic of loaded.diagnostics) {
          expectInside(text, diagnostic.span.start, diagnostic);
          expectInside(text, diagnostic.span.end, diagnostic);
        }
      }),
      RUNS,
    );
  });

  it("formats whatever parses to text that parses to the same tree, and formats the same", () => {
    fc.assert(
      fc.property(schemaText, (text) => {
        const parsed = parseSchema(text);
        if (parsed.diagnostics.length > 0) return;
        const formatted = formatSchema(parsed.ast);
        const reparsed = parseSchema(formatted);
        expect(reparsed.diagnostics).toEqual([]);
        expect(stripSpans(reparsed.ast)).toEqual(stripSpans(parsed.ast));
        expect(formatSchema(reparsed.ast)).toBe(formatted);
      }),
      RUNS,
    );
  });
});
