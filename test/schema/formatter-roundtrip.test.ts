// Property: any schema tree, formatted and parsed again, is the same tree.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatSchema } from "../../src/schema/formatter.js";
import { parseSchema } from "../../src/schema/parser.js";
import { schemaAst } from "./schema-arbitrary.js";
import { stripSpans } from "./strip-spans.js";

describe("formatter", () => {
  it("parse(format(tree)) equals tree for generated schemas", () => {
    fc.assert(
      fc.property(schemaAst, (tree) => {
        const text = formatSchema(tree);
        const parsed = parseSchema(text);
        expect(parsed.diagnostics).toEqual([]);
        expect(stripSpans(parsed.ast)).toEqual(stripSpans(tree));
      }),
      { numRuns: 500 },
    );
  });
});
