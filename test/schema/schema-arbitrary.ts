// fast-check generators of schema syntax trees, in the normal form the parser produces.

import fc from "fast-check";
import type {
  AllowedSubjectAst,
  CaveatAst,
  CaveatTypeAst,
  DefinitionAst,
  ExpressionAst,
  MemberAst,
  Name,
  SchemaAst,
  TopLevelAst,
} from "../../src/schema/ast.js";
import { SCALAR_CAVEAT_TYPES } from "../../src/schema/caveat/caveat-type.js";
import type { Span } from "../../src/schema/source-span.js";

const SPAN: Span = {
  start: { line: 1, column: 1, offset: 0 },
  end: { line: 1, column: 1, offset: 0 },
};
const KEYWORDS = new Set([
  "nil",
  "with",
  "and",
  "expiration",
  "definition",
  "caveat",
  "relation",
  "permission",
  "use",
  "any",
  "all",
  "self",
]);

const identifier = fc
  .stringMatching(/^[a-z][a-z0-9_]{1,8}[a-z0-9]$/)
  .filter((s) => !KEYWORDS.has(s));
const name: fc.Arbitrary<Name> = identifier.map((value) => ({ value, span: SPAN }));
const typeName: fc.Arbitrary<Name> = fc
  .tuple(fc.option(identifier, { nil: undefined }), identifier)
  .map(([prefix, base]) => ({ value: prefix ? `${prefix}/${base}` : base, span: SPAN }));

const commentText = fc.stringMatching(/^[a-zA-Z0-9 ,.]{0,20}$/).map((s) => s.trim());
const leadingComment = fc.oneof(
  commentText.map((t) => `// ${t}`.trimEnd()),
  commentText.map((t) => `/* ${t} */`),
  commentText.map((t) => `/** ${t} */`),
  fc
    .tuple(commentText, commentText)
    .map(([a, b]) => `/**\n * ${a}\n * ${b}\n */`.replaceAll(" \n", "\n")),
);
const comments = fc.array(leadingComment, { maxLength: 2 });
const trailingComment = fc.option(
  commentText.map((t) => `// ${t}`.trimEnd()),
  { nil: undefined },
);

const allowedSubject: fc.Arbitrary<AllowedSubjectAst> = fc
  .record({
    type: typeName,
    shape: fc.constantFrom("object", "wildcard", "set"),
    relation: name,
    caveat: fc.option(typeName, { nil: undefined }),
    expiration: fc.boolean(),
  })
  .map(({ type, shape, relation, caveat, expiration }) => ({
    type,
    relation: shape === "set" ? relation : undefined,
    wildcard: shape === "wildcard",
    caveat,
    expiration: expiration ? { value: "expiration", span: SPAN } : undefined,
    span: SPAN,
  }));

const leafExpression: fc.Arbitrary<ExpressionAst> = fc.oneof(
  fc.constant({ kind: "nil", span: SPAN } as const),
  name.map((n) => ({ kind: "reference", name: n, span: SPAN }) as const),
  fc
    .record({
      relation: name,
      target: name,
      fn: fc.constantFrom("arrow", "any", "all") as fc.Arbitrary<"arrow" | "any" | "all">,
    })
    .map(
      ({ relation, target, fn }) =>
        ({ kind: "arrow", function: fn, relation, target, span: SPAN }) as const,
    ),
);

/** expression generates permission expressions in normal form: no union directly inside a union. */
const expression: fc.Arbitrary<ExpressionAst> = fc.letrec<{ expr: ExpressionAst }>((tie) => ({
  expr: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leafExpression,
    fc
      .tuple(
        fc.constantFrom("union", "intersection") as fc.Arbitrary<"union" | "intersection">,
        fc.array(tie("expr"), { minLength: 2, maxLength: 3 }),
      )
      .map(([kind, operands]) => ({
        kind,
        operands: operands.flatMap((o) => (o.kind === kind ? o.operands : [o])),
        span: SPAN,
      })),
    fc
      .tuple(tie("expr"), tie("expr"))
      .map(([base, subtracted]) => ({ kind: "exclusion", base, subtracted, span: SPAN }) as const),
  ),
})).expr;

const member: fc.Arbitrary<MemberAst> = fc.oneof(
  fc
    .record({
      name,
      subjects: fc.array(allowedSubject, { minLength: 1, maxLength: 3 }),
      comments,
      trailingComment,
    })
    .map((r) => ({ kind: "relation", ...r, span: SPAN }) as const),
  fc
    .record({ name, expression, comments, trailingComment })
    .map((r) => ({ kind: "permission", ...r, span: SPAN }) as const),
);

const definition: fc.Arbitrary<DefinitionAst> = fc
  .record({
    name: typeName,
    members: fc.array(member, { maxLength: 4 }),
    innerTrailingComments: comments,
    comments,
    trailingComment,
  })
  .map((r) => ({ kind: "definition", ...r, span: SPAN }));

const scalarType = fc.constantFrom(...SCALAR_CAVEAT_TYPES);
const caveatType: fc.Arbitrary<CaveatTypeAst> = fc.letrec<{ type: CaveatTypeAst }>((tie) => ({
  type: fc.oneof(
    { depthSize: "small" },
    scalarType.map((t) => ({ name: { value: t, span: SPAN }, arguments: [], span: SPAN })),
    fc
      .tuple(fc.constantFrom("list", "map"), tie("type"))
      .map(([t, arg]) => ({ name: { value: t, span: SPAN }, arguments: [arg], span: SPAN })),
  ),
})).type;

const celLine = fc.constantFrom(
  "a == 1",
  "b.startsWith('x') ||",
  "c in [1, 2, 3] &&",
  "'}' != \"{\"",
  "d > duration('1h')",
  "true",
);
const celExpression = fc
  .tuple(celLine, fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), celLine), { maxLength: 3 }))
  .map(([first, rest]) =>
    [first, ...rest.map(([indent, line]) => " ".repeat(indent) + line)].join("\n"),
  );

const caveat: fc.Arbitrary<CaveatAst> = fc
  .record({
    name: typeName,
    parameters: fc.array(fc.record({ name, type: caveatType }), { minLength: 1, maxLength: 3 }),
    expression: celExpression,
    comments,
    trailingComment,
  })
  .map((r) => ({
    kind: "caveat",
    ...r,
    parameters: r.parameters.map((p) => ({ ...p, span: SPAN })),
    expressionSource: { text: r.expression, span: SPAN },
    span: SPAN,
  }));

const topLevel: fc.Arbitrary<TopLevelAst> = fc.oneof(
  definition,
  caveat,
  fc
    .record({ comments, trailingComment })
    .map(
      (r) =>
        ({ kind: "use", feature: { value: "expiration", span: SPAN }, ...r, span: SPAN }) as const,
    ),
);

/** schemaAst generates whole schema trees, with comments, caveats and `use` directives. */
export const schemaAst: fc.Arbitrary<SchemaAst> = fc.record({
  items: fc.array(topLevel, { maxLength: 5 }),
  trailingComments: comments,
});

/** withSelfLeaves writes `self` in place of each reference of expression that `chosen` picks. */
function withSelfLeaves(expression: ExpressionAst, chosen: () => boolean): ExpressionAst {
  switch (expression.kind) {
    case "reference":
      return chosen() ? { kind: "self", span: SPAN } : expression;
    case "union":
    case "intersection":
      return { ...expression, operands: expression.operands.map((o) => withSelfLeaves(o, chosen)) };
    case "exclusion":
      return {
        ...expression,
        base: withSelfLeaves(expression.base, chosen),
        subtracted: withSelfLeaves(expression.subtracted, chosen),
      };
    default:
      return expression;
  }
}

/** SELF_ONLY is a definition whose one permission is `self`, for a tree that writes it nowhere else. */
const SELF_ONLY: DefinitionAst = {
  kind: "definition",
  name: { value: "itself", span: SPAN },
  members: [
    {
      kind: "permission",
      name: { value: "itself", span: SPAN },
      expression: { kind: "self", span: SPAN },
      comments: [],
      span: SPAN,
    },
  ],
  innerTrailingComments: [],
  comments: [],
  span: SPAN,
};

/**
 * schemaAstUsingSelf generates whole schema trees that set `use self` first and write `self`
 * (the object itself) in place of some of their permissions' references; one that would write
 * none ends with a definition whose permission is `self`.
 */
export const schemaAstUsingSelf: fc.Arbitrary<SchemaAst> = fc
  .tuple(schemaAst, fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }), comments)
  .map(([tree, picks, useComments]) => {
    let next = 0;
    let written = 0;
    const chosen = () => {
      const pick = picks[next++ % picks.length]!;
      if (pick) written++;
      return pick;
    };
    const items = tree.items.map((item): TopLevelAst => {
      if (item.kind !== "definition") return item;
      const members = item.members.map(
        (member): MemberAst =>
          member.kind === "permission"
            ? { ...member, expression: withSelfLeaves(member.expression, chosen) }
            : member,
      );
      return { ...item, members };
    });
    const use: TopLevelAst = {
      kind: "use",
      feature: { value: "self", span: SPAN },
      comments: useComments,
      span: SPAN,
    };
    return { ...tree, items: [use, ...items, ...(written === 0 ? [SELF_ONLY] : [])] };
  });
