// The dependency graph between a schema's relations and permissions, cut into strata evaluated in order.

import type { CompiledSchema, Rewrite } from "../../src/schema/compiled-schema.js";
import type { Relationship } from "../../src/tuple/relationship.js";

/**
 * EdgePosition says where a dependency sits in its user: `union` when reached through unions only
 * (a relation's subject set, or a computed reference or any-arrow under unions alone), `monotone`
 * under an intersection, an all-arrow or an exclusion's base, `negated` under an exclusion's
 * subtracted side (anywhere below it).
 */
export type EdgePosition = "union" | "monotone" | "negated";

/** MemberEdge says that the member `from` (`type#name`) reads the member `to`. */
export interface MemberEdge {
  readonly from: string;
  readonly to: string;
  readonly position: EdgePosition;
}

/** memberKey names the relation or permission `name` of `type` as `type#name`. */
export function memberKey(type: string, name: string): string {
  return `${type}#${name}`;
}

/**
 * memberGraph lists every dependency between members: those the schema allows, plus those the
 * relationships actually create (so that data the schema would reject still orders correctly).
 */
export function memberGraph(
  schema: CompiledSchema,
  relationships: readonly Relationship[],
): MemberEdge[] {
  const edges: MemberEdge[] = [];
  const subjectTypes = (type: string, relation: string): Set<string> => {
    const types = new Set<string>();
    const member = schema.member(type, relation);
    if (member?.kind === "relation") for (const s of member.allowedSubjects) types.add(s.type);
    for (const rel of relationships) {
      if (rel.resource.type === type && rel.relation === relation) types.add(rel.subject.type);
    }
    return types;
  };
  const add = (from: string, type: string, name: string, position: EdgePosition): void => {
    if (schema.member(type, name) !== undefined) {
      edges.push({ from, to: memberKey(type, name), position });
    }
  };
  for (const [type, definition] of schema.definitions) {
    for (const member of definition.members.values()) {
      const from = memberKey(type, member.name);
      if (member.kind === "relation") {
        for (const s of member.allowedSubjects) {
          if (s.relation !== undefined) add(from, s.type, s.relation, "union");
        }
        continue;
      }
      const walk = (rewrite: Rewrite, position: EdgePosition): void => {
        const inner: EdgePosition = position === "union" ? "monotone" : position;
        switch (rewrite.kind) {
          case "nil":
          case "self":
            return;
          case "computed":
            add(from, type, rewrite.name, position);
            return;
          case "union":
            for (const child of rewrite.children) walk(child, position);
            return;
          case "intersection":
            for (const child of rewrite.children) walk(child, inner);
            return;
          case "exclusion":
            walk(rewrite.base, inner);
            walk(rewrite.subtracted, "negated");
            return;
          case "arrow": {
            const arrowPosition = rewrite.function === "all" ? inner : position;
            add(from, type, rewrite.tupleset, arrowPosition);
            for (const target of subjectTypes(type, rewrite.tupleset)) {
              add(from, target, rewrite.target, arrowPosition);
            }
            return;
          }
        }
      };
      walk(member.rewrite, "union");
    }
  }
  for (const rel of relationships) {
    if (rel.subject.relation !== undefined) {
      const from = memberKey(rel.resource.type, rel.relation);
      add(from, rel.subject.type, rel.subject.relation, "union");
    }
  }
  return edges;
}

/**
 * memberStrata cuts the member graph into its strongly connected components, each listed after
 * every component it reads, so that each can be solved as a fixpoint once its inputs are final.
 * It throws when a cycle passes through an exclusion's subtracted side: such a schema has no
 * well-defined fixpoint, and the reference evaluator refuses it.
 */
export function memberStrata(
  schema: CompiledSchema,
  relationships: readonly Relationship[],
): string[][] {
  const edges = memberGraph(schema, relationships);
  const nodes = [...schema.definitions].flatMap(([type, d]) =>
    [...d.members.keys()].map((name) => memberKey(type, name)),
  );
  const components = stronglyConnectedComponents(nodes, edges);
  const componentOf = new Map<string, number>();
  components.forEach((component, index) => {
    for (const node of component) componentOf.set(node, index);
  });
  for (const edge of edges) {
    if (edge.position === "negated" && componentOf.get(edge.from) === componentOf.get(edge.to)) {
      throw new Error(
        `reference evaluator: '${edge.from}' depends on '${edge.to}' through an exclusion inside a cycle; the schema is not stratified`,
      );
    }
  }
  return components;
}

/** Tarjan's algorithm: components come out after every component they have edges to. */
function stronglyConnectedComponents(
  nodes: readonly string[],
  edges: readonly MemberEdge[],
): string[][] {
  const successors = new Map<string, string[]>(nodes.map((n) => [n, []]));
  for (const edge of edges) successors.get(edge.from)?.push(edge.to);
  const index = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, index.size);
    lowLink.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const next of successors.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        lowLink.set(node, Math.min(lowLink.get(node)!, lowLink.get(next)!));
      } else if (onStack.has(next)) {
        lowLink.set(node, Math.min(lowLink.get(node)!, index.get(next)!));
      }
    }
    if (lowLink.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      components.push(component);
    }
  };
  for (const node of nodes) if (!index.has(node)) visit(node);
  return components;
}
