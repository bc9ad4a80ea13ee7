// Each kind of schema error: its code, message, line and column; and every error in a file reported.

import { describe, expect, it } from "vitest";
import { formatDiagnostic } from "../../src/schema/diagnostic.js";
import { loadSchema } from "../../src/schema/load-schema.js";

function errorsOf(text: string) {
  const result = loadSchema(text);
  if (result.ok) return [];
  return result.diagnostics.map((d) => ({
    code: d.code,
    line: d.span.start.line,
    column: d.span.start.column,
    message: d.message,
  }));
}

const USER = "definition user {}\n";

const cases: {
  name: string;
  schema: string;
  code: string;
  line: number;
  column: number;
  message: string;
}[] = [
  {
    name: "syntax: missing colon after a relation name",
    schema: `${USER}definition document {\n\trelation viewer user\n}\n`,
    code: "syntax",
    line: 3,
    column: 18,
    message: "expected ':' after 'relation viewer', then its allowed subject types, found 'user'",
  },
  {
    name: "syntax: unexpected top-level token",
    schema: `${USER}permission view = viewer\n`,
    code: "syntax",
    line: 2,
    column: 1,
    message:
      "expected 'definition', 'caveat', 'partial' or 'use' at the top level, found 'permission'",
  },
  {
    name: "syntax: unclosed definition",
    schema: `${USER}definition document {\n\trelation viewer: user\n`,
    code: "syntax",
    line: 4,
    column: 1,
    message: "expected '}' to close 'definition document', found end of file",
  },
  {
    name: "syntax: two statements on one line",
    schema: `${USER}definition document {\n\trelation viewer: user relation editor: user\n}\n`,
    code: "syntax",
    line: 3,
    column: 24,
    message: "expected the end of the statement (a new line or ';'), found 'relation'",
  },
  {
    name: "syntax: unknown arrow function",
    schema: `${USER}definition document {\n\trelation parent: document\n\tpermission view = parent.some(view)\n}\n`,
    code: "syntax",
    line: 4,
    column: 27,
    message: "unknown arrow function 'some'; use '.any(...)' or '.all(...)'",
  },
  {
    name: "nested arrows",
    schema: `${USER}definition document {\n\trelation parent: document\n\tpermission view = parent->parent->view\n}\n`,
    code: "nested-arrow",
    line: 4,
    column: 34,
    message:
      "nested arrows are not supported; add a permission on the target type for 'parent' and point the arrow at it, found '->'",
  },
  {
    name: "unknown definition",
    schema: `${USER}definition document {\n\trelation viewer: usr\n}\n`,
    code: "unknown-definition",
    line: 3,
    column: 19,
    message:
      "unknown definition 'usr' (did you mean 'user'?); add 'definition usr {}' or fix the name",
  },
  {
    name: "unknown relation in an expression",
    schema: `${USER}definition document {\n\trelation viewer: user\n\tpermission view = viewr\n}\n`,
    code: "unknown-relation",
    line: 4,
    column: 20,
    message: "definition 'document' has no relation or permission 'viewr' (did you mean 'viewer'?)",
  },
  {
    name: "unknown relation in a subject set",
    schema: `${USER}definition group {\n\trelation member: user\n}\ndefinition document {\n\trelation viewer: group#members\n}\n`,
    code: "unknown-relation",
    line: 6,
    column: 25,
    message: "definition 'group' has no relation or permission 'members' (did you mean 'member'?)",
  },
  {
    name: "unknown caveat",
    schema: `${USER}definition document {\n\trelation viewer: user with weekdays\n}\n`,
    code: "unknown-caveat",
    line: 3,
    column: 29,
    message: "unknown caveat 'weekdays'; define it with 'caveat weekdays(...) { ... }'",
  },
  {
    name: "a relation and a permission with the same name",
    schema: `${USER}definition document {\n\trelation view: user\n\tpermission view = view\n}\n`,
    code: "duplicate-name",
    line: 4,
    column: 13,
    message:
      "'view' is already a relation in definition 'document' at 3:11; relations and permissions share one namespace, so rename one of them",
  },
  {
    name: "duplicate definition",
    schema: `${USER}definition user {}\n`,
    code: "duplicate-name",
    line: 2,
    column: 12,
    message:
      "'user' is already defined at 1:12; definitions and caveats share one namespace, so rename or remove one of them",
  },
  {
    name: "arrow whose left side is a permission",
    schema: `${USER}definition document {\n\trelation parent: document\n\tpermission upward = parent\n\tpermission view = upward->view\n}\n`,
    code: "arrow-left-not-relation",
    line: 5,
    column: 20,
    message:
      "the left side of an arrow must be a relation, but 'upward' is a permission of 'document'; point the arrow at the relation it is built from",
  },
  {
    name: "arrow whose right side exists on no subject type",
    schema: `${USER}definition folder {\n\trelation viewer: user\n}\ndefinition document {\n\trelation parent: folder\n\tpermission view = parent->veiwer\n}\n`,
    code: "arrow-target-missing",
    line: 7,
    column: 28,
    message:
      "'veiwer' exists on none of the subject types of 'document#parent' (folder), so this arrow could never grant anything (did you mean 'viewer'?)",
  },
  {
    name: "arrow over a relation with a wildcard",
    schema: `${USER}definition folder {\n\trelation viewer: user\n}\ndefinition document {\n\trelation parent: folder | folder:*\n\tpermission view = parent->viewer\n}\n`,
    code: "arrow-wildcard",
    line: 7,
    column: 20,
    message:
      "relation 'document#parent' admits the wildcard 'folder:*', which an arrow cannot walk; use a relation without wildcards on the left of the arrow",
  },
  {
    name: "a subject set that carries a wildcard",
    schema: `${USER}definition group {\n\trelation member: user:*\n}\ndefinition folder {\n\trelation viewer: group#member\n}\n`,
    code: "wildcard-subject-set",
    line: 6,
    column: 25,
    message:
      "'group#member' includes the wildcard 'user:*', which a subject set cannot carry into another definition (SpiceDB rejects it too); admit 'user:*' here directly, or use a set without the wildcard",
  },
  {
    name: "a permission that refers to itself",
    schema: `${USER}definition document {\n\trelation viewer: user\n\tpermission view = viewer + view\n}\n`,
    code: "self-reference",
    line: 4,
    column: 29,
    message:
      "permission 'document#view' refers to itself with no relation in between, so it can never be computed; go through a relation (an arrow or a subject set) or remove the reference",
  },
  {
    name: "permissions that refer to each other",
    schema: `${USER}definition document {\n\tpermission view = edit\n\tpermission edit = view\n}\n`,
    code: "self-reference",
    line: 4,
    column: 20,
    message:
      "permission 'document#edit' refers back to itself through 'view' with no relation in between, so it can never be computed; go through a relation (an arrow or a subject set) or remove the reference",
  },
  {
    name: "expiration without use expiration",
    schema: `${USER}definition document {\n\trelation viewer: user with expiration\n}\n`,
    code: "expiration-not-enabled",
    line: 3,
    column: 29,
    message: "'with expiration' needs 'use expiration' at the top of the schema; add it",
  },
  {
    name: "unknown use flag",
    schema: `use expiraton\n${USER}`,
    code: "unknown-use-flag",
    line: 1,
    column: 5,
    message:
      "unknown feature 'use expiraton'; the known features are: expiration, partial, self, typechecking, import (did you mean 'expiration'?)",
  },
  {
    name: "use self: a relation named self",
    schema: `use self\n${USER}definition doc {\n\trelation self: user\n}\n`,
    code: "syntax",
    line: 4,
    column: 11,
    message:
      "expected a relation name after 'relation', found 'self': under 'use self' it is the object itself and names nothing; rename it",
  },
  {
    name: "use self: a definition named self",
    schema: `use self\n${USER}definition self {}\n`,
    code: "syntax",
    line: 3,
    column: 12,
    message:
      "expected a definition name after 'definition', found 'self': under 'use self' it is the object itself and names nothing; rename it",
  },
  {
    name: "use self: a caveat parameter named self",
    schema: `use self\ncaveat ccc(self int) {\n\tself == 1\n}\n${USER}`,
    code: "syntax",
    line: 2,
    column: 12,
    message:
      "expected a parameter name, found 'self': under 'use self' it is the object itself and names nothing; rename it",
  },
  {
    name: "use self: a caveat parameter of type map<self>",
    schema: `use self\ncaveat ccc(amount map<self>) {\n\ttrue\n}\n${USER}`,
    code: "syntax",
    line: 2,
    column: 23,
    message:
      "expected a parameter type, like 'int', 'string' or 'list<string>', found 'self': under 'use self' it is the object itself and names nothing; rename it",
  },
  {
    name: "use self: an arrow from self",
    schema: `use self\n${USER}definition doc {\n\trelation parent: doc\n\tpermission view = self->parent\n}\n`,
    code: "syntax",
    line: 5,
    column: 24,
    message:
      "'self' is the object itself, not a relation: no arrow walks from it; walk a relation, as in 'parent->view', found '->'",
  },
  {
    name: "use self: an arrow function from self",
    schema: `use self\n${USER}definition doc {\n\trelation parent: doc\n\tpermission view = self.any(parent)\n}\n`,
    code: "syntax",
    line: 5,
    column: 24,
    message:
      "'self' is the object itself, not a relation: no arrow walks from it; walk a relation, as in 'parent->view', found '.'",
  },
  {
    name: "use self: an arrow to self",
    schema: `use self\n${USER}definition doc {\n\trelation parent: doc\n\tpermission view = parent->self\n}\n`,
    code: "syntax",
    line: 5,
    column: 28,
    message:
      "expected a permission or relation name after 'parent->', found 'self': under 'use self' it is the object itself and names nothing; rename it",
  },
  {
    name: "use self: an arrow function to self",
    schema: `use self\n${USER}definition doc {\n\trelation parent: doc\n\tpermission view = parent.all(self)\n}\n`,
    code: "syntax",
    line: 5,
    column: 31,
    message:
      "expected a permission or relation name in '.all(...)', found 'self': under 'use self' it is the object itself and names nothing; rename it",
  },
  {
    name: "self before the use self that would make it the object",
    schema: `${USER}definition doc {\n\tpermission view = self\n}\nuse self\n`,
    code: "unknown-relation",
    line: 3,
    column: 20,
    message:
      "definition 'doc' has no relation or permission 'self'; 'use self' makes 'self' the object itself only after it: move it before the definitions",
  },
  {
    name: "self without use self, and no relation named self",
    schema: `${USER}definition doc {\n\tpermission view = self\n}\n`,
    code: "unknown-relation",
    line: 3,
    column: 20,
    message:
      "definition 'doc' has no relation or permission 'self'; to mean the object itself, write 'use self' before the definitions",
  },
  {
    name: "spread of an unknown partial",
    schema: `use partial\npartial readable {\n\trelation reader: user\n}\n${USER}definition doc {\n\t...readabel\n}\n`,
    code: "unknown-partial",
    line: 7,
    column: 5,
    message:
      "unknown partial 'readabel' (did you mean 'readable'?); declare it with 'partial readabel { ... }'",
  },
  {
    name: "partial that spreads itself",
    schema: `use partial\npartial a {\n\t...b\n}\npartial b {\n\t...a\n}\n${USER}`,
    code: "partial-cycle",
    line: 6,
    column: 2,
    message: "partial 'a' spreads itself (a -> b -> a); remove one of these spreads",
  },
  {
    name: "partial without use partial",
    schema: `partial a {\n\trelation reader: user\n}\n${USER}`,
    code: "partial-not-enabled",
    line: 1,
    column: 9,
    message: "partial 'a' needs 'use partial' at the top of the schema",
  },
  {
    name: "invalid name",
    schema: `${USER}definition document {\n\trelation v: user\n}\n`,
    code: "invalid-name",
    line: 3,
    column: 11,
    message:
      "invalid relation name 'v': use lowercase letters, digits and '_', 3 to 64 characters, starting with a letter and not ending with '_'",
  },
  {
    name: "unknown caveat parameter type",
    schema: `caveat on_time(now timestmp) {\n\tnow > timestamp('2024-01-01T00:00:00Z')\n}\n`,
    code: "caveat-type",
    line: 1,
    column: 20,
    message: "",
  },
  {
    name: "caveat expression that does not return bool",
    schema: `caveat counted(count int) {\n\tcount + 1\n}\n`,
    code: "caveat-expression",
    line: 2,
    column: 2,
    message: "",
  },
  {
    name: "caveat expression with a syntax error",
    schema: `caveat counted(count int) {\n\tcount >\n}\n`,
    code: "caveat-expression",
    line: 2,
    column: 0,
    message: "",
  },
  {
    name: "caveat parameter used with the wrong type",
    schema: `caveat counted(count int) {\n\tcount == "ten"\n}\n`,
    code: "caveat-expression",
    line: 2,
    column: 0,
    message: "",
  },
  {
    name: "caveat expression using an undeclared parameter",
    schema: `caveat counted(count int) {\n\tcount < limit\n}\n`,
    code: "caveat-expression",
    line: 2,
    column: 0,
    message: "",
  },
];

describe("schema errors", () => {
  for (const c of cases) {
    it(c.name, () => {
      const errors = errorsOf(c.schema);
      expect(errors.map((e) => e.code)).toEqual([c.code]);
      const [error] = errors;
      expect(error!.line).toBe(c.line);
      if (c.column > 0) expect(error!.column).toBe(c.column);
      if (c.message !== "") expect(error!.message).toBe(c.message);
      else expect(error!.message.length).toBeGreaterThan(20);
    });
  }

  it("reports every error in a file, in source order, as FILE:LINE:COLUMN: message", () => {
    const schema = `${USER}definition document {\n\trelation viewer: usr\n\trelation owner user\n\trelation editor: user\n\tpermission view = viewer + editr\n}\ndefinition user {}\n`;
    const result = loadSchema(schema);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.diagnostics.map((d) => formatDiagnostic("s.zed", d))).toEqual([
      "s.zed:3:19: unknown definition 'usr' (did you mean 'user'?); add 'definition usr {}' or fix the name",
      "s.zed:4:17: expected ':' after 'relation owner', then its allowed subject types, found 'user'",
      "s.zed:6:29: definition 'document' has no relation or permission 'editr' (did you mean 'editor'?)",
      "s.zed:8:12: 'user' is already defined at 1:12; definitions and caveats share one namespace, so rename or remove one of them",
    ]);
  });
});
