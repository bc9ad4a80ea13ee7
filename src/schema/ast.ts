// The schema's syntax tree, as written: names with their spans, comments with what they document.

import type { Span } from "./source-span.js";

/** Commented is a node that keeps the comments written on the lines before it and after it. */
export interface Commented {
  /** Comments on the lines before the node, as written (`//`, `/* *\/` or `/** *\/`). */
  readonly comments: readonly string[];
  /** A comment on the same line, after the node. */
  readonly trailingComment?: string;
}

/** Name is an identifier and where it was written. */
export interface Name {
  readonly value: string;
  readonly span: Span;
}

/**
 * WrittenSchemaAst is a parsed schema file as written: with its partials, and definitions that
 * spread them. What the type checker and compiler read is its {@link SchemaAst}, the partials
 * spliced in (see expandPartials).
 */
export interface WrittenSchemaAst {
  readonly items: readonly WrittenTopLevelAst[];
  /** Comments after the last item. */
  readonly trailingComments: readonly string[];
}

/** WrittenTopLevelAst is anything that may be written at the top level of a schema. */
export type WrittenTopLevelAst = UseAst | WrittenDefinitionAst | CaveatAst;

/**
 * WrittenDefinitionAst is a definition or a partial as written: `definition name { ... }`, or
 * `partial name { ... }` (members to spread into definitions), its members maybe spreads.
 */
export interface WrittenDefinitionAst extends Omit<DefinitionAst, "kind" | "members"> {
  readonly kind: "definition" | "partial";
  readonly members: readonly WrittenMemberAst[];
}

/** WrittenMemberAst is a member as written: a relation, a permission or a spread partial. */
export type WrittenMemberAst = MemberAst | SpreadAst;

/** SpreadAst is `...name`: the members of partial `name`, in its place. */
export interface SpreadAst extends Commented {
  readonly kind: "spread";
  readonly name: Name;
  readonly span: Span;
}

/** SchemaAst is a schema whose partials are spliced into the definitions that spread them. */
export interface SchemaAst {
  readonly items: readonly TopLevelAst[];
  /** Comments after the last item. */
  readonly trailingComments: readonly string[];
}

/** TopLevelAst is anything that stands at the top level of a schema once partials are spliced in. */
export type TopLevelAst = UseAst | DefinitionAst | CaveatAst;

/** UseAst is a `use feature` directive, e.g. `use expiration`. */
export interface UseAst extends Commented {
  readonly kind: "use";
  readonly feature: Name;
  readonly span: Span;
}

/** DefinitionAst is `definition name { relations and permissions }`. */
export interface DefinitionAst extends Commented {
  readonly kind: "definition";
  readonly name: Name;
  readonly members: readonly MemberAst[];
  /** Comments inside the braces after the last member. */
  readonly innerTrailingComments: readonly string[];
  readonly span: Span;
}

/** MemberAst is a relation or a permission of a definition. */
export type MemberAst = RelationAst | PermissionAst;

/** RelationAst is `relation name: subject | subject ...`. */
export interface RelationAst extends Commented {
  readonly kind: "relation";
  readonly name: Name;
  readonly subjects: readonly AllowedSubjectAst[];
  readonly span: Span;
}

/** AllowedSubjectAst is one allowed subject of a relation: `user`, `user:*`, `group#member`, with traits. */
export interface AllowedSubjectAst {
  readonly type: Name;
  /** The relation of a subject set (`group#member`); absent for the object itself (or `#...`). */
  readonly relation?: Name;
  readonly wildcard: boolean;
  /** `with somecaveat`. */
  readonly caveat?: Name;
  /** `with expiration` (alone or after a caveat). */
  readonly expiration?: Name;
  readonly span: Span;
}

/** PermissionAst is `permission name = expression`. */
export interface PermissionAst extends Commented {
  readonly kind: "permission";
  readonly name: Name;
  readonly expression: ExpressionAst;
  readonly span: Span;
}

/** ExpressionAst is a permission's expression; unions and intersections are flattened (n-ary). */
export type ExpressionAst =
  | {
      readonly kind: "union" | "intersection";
      readonly operands: readonly ExpressionAst[];
      readonly span: Span;
    }
  | {
      readonly kind: "exclusion";
      readonly base: ExpressionAst;
      readonly subtracted: ExpressionAst;
      readonly span: Span;
    }
  | { readonly kind: "nil"; readonly span: Span }
  /** `self` (with `use self`): the object itself, as a subject. */
  | { readonly kind: "self"; readonly span: Span }
  | { readonly kind: "reference"; readonly name: Name; readonly span: Span }
  | ArrowAst;

/** ArrowFunction is how an arrow combines the objects it walks to: `->` and `.any()` any, `.all()` all. */
export type ArrowFunction = "arrow" | "any" | "all";

/** ArrowAst is `relation->target`, `relation.any(target)` or `relation.all(target)`. */
export interface ArrowAst {
  readonly kind: "arrow";
  readonly function: ArrowFunction;
  readonly relation: Name;
  readonly target: Name;
  readonly span: Span;
}

/** CaveatAst is `caveat name(parameter type, ...) { CEL expression }`. */
export interface CaveatAst extends Commented {
  readonly kind: "caveat";
  readonly name: Name;
  readonly parameters: readonly CaveatParameterAst[];
  /** The CEL text, trimmed and with its common indentation removed. */
  readonly expression: string;
  /** The CEL text exactly as written between the braces, and where. */
  readonly expressionSource: { readonly text: string; readonly span: Span };
  readonly span: Span;
}

/** CaveatParameterAst is one `name type` parameter of a caveat. */
export interface CaveatParameterAst {
  readonly name: Name;
  readonly type: CaveatTypeAst;
  readonly span: Span;
}

/** CaveatTypeAst is a parameter type as written: `int`, `list<string>`, `map<list<int>>`. */
export interface CaveatTypeAst {
  readonly name: Name;
  readonly arguments: readonly CaveatTypeAst[];
  readonly span: Span;
}
