// Partials: members written once and spread into definitions (`...name`), spliced in before checking.

import type {
  DefinitionAst,
  MemberAst,
  SchemaAst,
  SpreadAst,
  TopLevelAst,
  WrittenDefinitionAst,
  WrittenMemberAst,
  WrittenSchemaAst,
} from "./ast.js";
import type { Diagnostic } from "./diagnostic.js";
import {
  MAX_PARTIAL_DEPTH,
  MAX_SPLICED_MEMBERS,
  PARTIAL_DEPTH_MESSAGE,
  SPLICED_MEMBERS_MESSAGE,
} from "./schema-limits.js";
import type { Span } from "./source-span.js";
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
 * Spliced members keep their spans in the partial, so errors in them point there. Partials nest
 * at most {@link MAX_PARTIAL_DEPTH} deep, and splice at most {@link MAX_SPLICED_MEMBERS} members in
 * all: past either, the spread is an error, and so the work any schema costs stays bounded.
 */
export function expandPartials(written: WrittenSchemaAst): ExpandedSchema {
  const enabled = written.items.some(
    (item) => item.kind === "use" && item.feature.value === "partial",
  );
  const diagnostics: Diagnostic[] = [];
  const partials = declaredPartials(written, enabled, diagnostics);
  const expanded = new Map<string, MemberAst[]>();
  const resolving: string[] = [];
  const resolvingNames = new Set<string>();
  // Members copied into expansions so far: a spread of spreads can double a schema at each level.
  let spliced = 0;
  let overLimit = false;

  const problem = (code: Diagnostic["code"], message: string, span: Span): MemberAst[] => {
    diagnostics.push({ code, message, span });
    return [];
  };

  const spread = (member: SpreadAst): MemberAst[] => {
    const name = member.name.value;
    if (!enabled) {
      return problem(
        "partial-not-enabled",
        `'...${name}' needs 'use partial' at the top of the schema`,
        member.span,
      );
    }
    const partial = partials.get(name);
    if (partial === undefined) {
      return problem(
        "unknown-partial",
        `unknown partial '${name}'${didYouMean(name, partials.keys())}; declare it with 'partial ${name} { ... }'`,
        member.name.span,
      );
    }
    if (resolvingNames.has(name)) {
      const cycle = [...resolving.slice(resolving.indexOf(name)), name].join(" -> ");
      return problem(
        "partial-cycle",
        `partial '${name}' spreads itself (${cycle}); remove one of these spreads`,
        member.span,
      );
    }
    if (resolving.length === MAX_PARTIAL_DEPTH)
      return problem("limit", PARTIAL_DEPTH_MESSAGE, member.span);
    return resolved(partial);
  };

  const expand = (members: readonly WrittenMemberAst[]): MemberAst[] => {
    const out: MemberAst[] = [];
    for (const member of members) {
      const added = member.kind === "spread" ? spread(member) : [member];
      if (overLimit) return out;
      if (spliced + added.length > MAX_SPLICED_MEMBERS) {
        overLimit = true;
        problem("limit", SPLICED_MEMBERS_MESSAGE, member.span);
        return out;
      }
      spliced += added.length;
      for (const one of added) out.push(one);
    }
    return out;
  };

  const resolved = (partial: WrittenDefinitionAst): MemberAst[] => {
    const name = partial.name.value;
    const known = expanded.get(name);
    if (known !== undefined) return known;
    resolving.push(name);
    resolvingNames.add(name);
    const members = expand(partial.members);
    resolvingNames.delete(name);
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
