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

  it("formats partials and spreads, with their comments, to text that parses to the same tree", () => {
    const written = `use partial
/** who may read */
partial readable {
  relation reader: user // direct readers
  ...listed
}
partial listed {
  relation lister: user
}
definition user {}
definition doc {
  relation owner: user
  // spread here
  ... readable
  permission read = reader + owner
}
`;
    const parsed = parseSchema(written);
    expect(parsed.diagnostics).toEqual([]);
    const text = formatSchema(parsed.ast);
    expect(text).toBe(`use partial

/** who may read */
partial readable {
\trelation reader: user // direct readers

\t...listed
}

partial listed {
\trelation lister: user
}

definition user {}

definition doc {
\trelation owner: user

\t// spread here
\t...readable

\tpermission read = reader + owner
}
`);
    expect(stripSpans(parseSchema(text).ast)).toEqual(stripSpans(parsed.ast));
  });
});
