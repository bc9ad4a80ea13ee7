// Partials: members written once and spread into definitions (`...name`), spliced in before checking.

import type {
  DefinitionAst,
  MemberAst,
  SchemaAst,
  TopLevelAst,
  WrittenDefinitionAst,
  WrittenMemberAst,
  WrittenSchemaAst,
} from "./ast.js";
import type { Diagnostic } from "./diagnostic.js";
import { didYouMean } from "./suggest.js";

/** ExpandedSchema is a schema with its partials spliced in, and what kept some from it. */
export interface ExpandedSchema {
  readonly ast: SchemaAst;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * expandPartials splices each partial's members (after `use partial`, `partial name { ... }`) into
 * the definitions that spread it (`...name`), in the spread's place, and drops the partials: the
 * tree the type checker and compiler read. As SpiceDB does, it resolves every partial, spread or
 * not (a spread of an unknown partial, or a partial that spreads itself through others, is an
 * error wherever it is), while a partial's members are checked only where they are spliced.
 * Spliced members keep their spans in the partial, so errors in them point there.
 */
export function expandPartials(written: WrittenSchemaAst): ExpandedSchema {
  const enabled = written.items.some(
    (item) => item.kind === "use" && item.feature.value === "partial",
  );
  const diagnostics: Diagnostic[] = [];
  const partials = declaredPartials(written, enabled, diagnostics);
  const expanded = new Map<string, MemberAst[]>();
  const resolving: string[] = [];

  const expand = (members: readonly WrittenMemberAst[]): MemberAst[] =>
    members.flatMap((member) => {
      if (member.kind !== "spread") return [member];
      const name = member.name.value;
      if (!enabled) {
        diagnostics.push({
          code: "partial-not-enabled",
          message: `'...${name}' needs 'use partial' at the top of the schema`,
          span: member.span,
        });
        return [];
      }
      const partial = partials.get(name);
      if (partial === undefined) {
        diagnostics.push({
          code: "unknown-partial",
          message: `unknown partial '${name}'${didYouMean(name, partials.keys())}; declare it with 'partial ${name} { ... }'`,
          span: member.name.span,
        });
        return [];
      }
      if (resolving.includes(name)) {
        const cycle = [...resolving.slice(resolving.indexOf(name)), name].join(" -> ");
        diagnostics.push({
          code: "partial-cycle",
          message: `partial '${name}' spreads itself (${cycle}); remove one of these spreads`,
          span: member.span,
        });
        return [];
      }
      return resolved(partial);
    });

  const resolved = (partial: WrittenDefinitionAst): MemberAst[] => {
    const name = partial.name.value;
    const known = expanded.get(name);
    if (known !== undefined) return known;
    resolving.push(name);
    const members = expand(partial.members);
    resolving.pop();
    expanded.set(name, members);
    return members;
  };

  for (const partial of partials.values()) resolved(partial);
  const items = written.items.flatMap((item): TopLevelAst[] => {
    if (item.kind === "use" || item.kind === "caveat") return [item];
    if (item.kind === "partial") return [];
    const definition: DefinitionAst = {
      ...item,
      kind: "definition",
      members: expand(item.members),
    };
    return [definition];
  });
  return { ast: { items, trailingComments: written.trailingComments }, diagnostics };
}

/**
 * declaredPartials are the partials of written by name, the first of each name; it reports a
 * partial without `use partial`, a name declared twice, and one a definition or caveat has.
 */
function declaredPartials(
  written: WrittenSchemaAst,
  enabled: boolean,
  diagnostics: Diagnostic[],
): Map<string, WrittenDefinitionAst> {
  const others = new Set(
    written.items.flatMap((item) =>
      item.kind === "definition" || item.kind === "caveat" ? [item.name.value] : [],
    ),
  );
  const partials = new Map<string, WrittenDefinitionAst>();
  for (const item of written.items) {
    if (item.kind !== "partial") continue;
    const name = item.name.value;
    const problem: [Diagnostic["code"], string] | undefined = !enabled
      ? ["partial-not-enabled", `partial '${name}' needs 'use partial' at the top of the schema`]
      : partials.has(name)
        ? ["duplicate-name", `partial '${name}' is declared twice; merge them or rename one`]
        : others.has(name)
          ? [
              "duplicate-name",
              `partial '${name}' has the name of a definition or caveat; rename one`,
            ]
          : undefined;
    if (problem !== undefined) {
      diagnostics.push({ code: problem[0], message: problem[1], span: item.name.span });
    }
    if (!partials.has(name)) partials.set(name, item);
  }
  return partials;
}
