// Compiler: turns a type-checked syntax tree into the immutable schema the engine walks.

import type {
  AllowedSubjectAst,
  Commented,
  DefinitionAst,
  ExpressionAst,
  SchemaAst,
} from "./ast.js";
import type { CompiledCaveat } from "./caveat/compiled-caveat.js";
import type {
  AllowedSubject,
  CompiledSchema,
  MemberDefinition,
  ObjectDefinition,
  Rewrite,
} from "./compiled-schema.js";
import { buildReachability } from "./reachability.js";

/** compileSchema builds the compiled schema; call it only on a tree the type checker accepted. */
export function compileSchema(
  ast: SchemaAst,
  caveats: ReadonlyMap<string, CompiledCaveat>,
): CompiledSchema {
  const definitions = new Map<string, ObjectDefinition>();
  let useExpiration = false;
  for (const item of ast.items) {
    if (item.kind === "definition") definitions.set(item.name.value, compileDefinition(item));
    if (item.kind === "use" && item.feature.value === "expiration") useExpiration = true;
  }
  return assembleSchema(definitions, caveats, useExpiration);
}

/**
 * assembleSchema makes the compiled schema of compiled definitions and caveats: a schema the
 * compiler built, or one with definitions added to it (Latch's built-in ones).
 */
export function assembleSchema(
  definitions: ReadonlyMap<string, ObjectDefinition>,
  caveats: ReadonlyMap<string, CompiledCaveat>,
  useExpiration: boolean,
): CompiledSchema {
  const member = (type: string, name: string) => definitions.get(type)?.members.get(name);
  const reachability = buildReachability(definitions);
  return Object.freeze({ definitions, caveats, useExpiration, reachability, member });
}

function compileDefinition(definition: DefinitionAst): ObjectDefinition {
  const type = definition.name.value;
  const members = new Map<string, MemberDefinition>();
  for (const member of definition.members) {
    const doc = docOf(member);
    const name = member.name.value;
    members.set(
      name,
      member.kind === "relation"
        ? {
            kind: "relation",
            definition: type,
            name,
            allowedSubjects: member.subjects.map(compileAllowedSubject),
            doc,
          }
        : {
            kind: "permission",
            definition: type,
            name,
            rewrite: compileRewrite(member.expression),
            doc,
          },
    );
  }
  return { name: type, doc: docOf(definition), members };
}

function compileAllowedSubject(subject: AllowedSubjectAst): AllowedSubject {
  return {
    type: subject.type.value,
    relation: subject.relation?.value,
    wildcard: subject.wildcard,
    caveat: subject.caveat?.value,
    expiration: subject.expiration !== undefined,
  };
}

/** compileRewrite turns a permission expression into its rewrite tree. */
export function compileRewrite(expression: ExpressionAst): Rewrite {
  switch (expression.kind) {
    case "nil":
      return { kind: "nil" };
    case "self":
      return { kind: "self" };
    case "reference":
      return { kind: "computed", name: expression.name.value };
    case "arrow":
      return {
        kind: "arrow",
        function: expression.function === "all" ? "all" : "any",
        tupleset: expression.relation.value,
        target: expression.target.value,
      };
    case "union":
    case "intersection":
      return { kind: expression.kind, children: expression.operands.map(compileRewrite) };
    case "exclusion":
      return {
        kind: "exclusion",
        base: compileRewrite(expression.base),
        subtracted: compileRewrite(expression.subtracted),
      };
  }
}

/** docOf extracts the text of the `/** *\/` comments written before a node. */
function docOf(node: Commented): string | undefined {
  const docs = node.comments
    .filter((comment) => comment.startsWith("/**") && comment !== "/**/")
    .map((comment) =>
      comment
        .slice(3, -2)
        .split("\n")
        .map((line) => line.trim().replace(/^\* ?/, ""))
        .join("\n")
        .trim(),
    );
  return docs.length > 0 ? docs.join("\n") : undefined;
}
