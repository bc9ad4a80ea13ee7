// Property: any schema tree, formatted and parsed again, is the same tree; with `use self`, its
// `self` too.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatSchema } from "../../src/schema/formatter.js";
import { parseSchema } from "../../src/schema/parser.js";
import { schemaAst, schemaAstUsingSelf } from "./schema-arbitrary.js";
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

  it("parse(format(tree)) equals tree, and formats the same again, for schemas using self", () => {
    fc.assert(
      fc.property(schemaAstUsingSelf, (tree) => {
        const text = formatSchema(tree);
        const parsed = parseSchema(text);
        expect(parsed.diagnostics).toEqual([]);
        expect(stripSpans(parsed.ast)).toEqual(stripSpans(tree));
        expect(formatSchema(parsed.ast)).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it("prints self, alone and among operators, under use self", () => {
    const written = `use self
definition user {
  permission itself = self
}
definition doc {
  relation viewer: user
  relation editor: user
  permission view = self + viewer
  permission edit = (self & editor) - nil
  permission deny = viewer - (self)
  permission both = self+self
}
`;
    const parsed = parseSchema(written);
    expect(parsed.diagnostics).toEqual([]);
    const text = formatSchema(parsed.ast);
    expect(text).toBe(`use self

definition user {
\tpermission itself = self
}

definition doc {
\trelation viewer: user
\trelation editor: user

\tpermission view = self + viewer
\tpermission edit = (self & editor) - nil
\tpermission deny = viewer - self
\tpermission both = self + self
}
`);
    expect(stripSpans(parseSchema(text).ast)).toEqual(stripSpans(parsed.ast));
    expect(formatSchema(parseSchema(text).ast)).toBe(text);
  });

  it("prints self as the name it is without use self, and keeps it a name", () => {
    const written = `definition user {}
definition doc {
  relation self: user
  permission view = self + self
}
`;
    const parsed = parseSchema(written);
    expect(parsed.diagnostics).toEqual([]);
    const text = formatSchema(parsed.ast);
    expect(text).toContain("\tpermission view = self + self\n");
    const reparsed = JSON.stringify(stripSpans(parseSchema(text).ast));
    expect(reparsed).toBe(JSON.stringify(stripSpans(parsed.ast)));
    expect(reparsed).toContain('{"kind":"reference","name":{"value":"self"}}');
    expect(reparsed).not.toContain('"kind":"self"');
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
