// SpiceDB's ReflectSchema: a schema's definitions and caveats as authzed.api.v1 describes them, and its filters.

import type { v1 } from "@authzed/authzed-node";
import { RequestError } from "../api/request-error.js";
import type {
  AllowedSubjectAst,
  CaveatAst,
  CaveatTypeAst,
  Commented,
  DefinitionAst,
  SchemaAst,
} from "../schema/ast.js";

/** SchemaReflection is a schema's definitions and caveats, in the order the schema gives them. */
export interface SchemaReflection {
  readonly definitions: readonly v1.ReflectionDefinition[];
  readonly caveats: readonly v1.ReflectionCaveat[];
}

/**
 * reflectSchema describes a schema (its partials spliced in) as SpiceDB's reflection does: each
 * definition with its relations (and the subject types each admits) and permissions, each caveat
 * with its parameters and expression, and the comments written on the lines before each of them.
 */
export function reflectSchema(ast: SchemaAst): SchemaReflection {
  const definitions: v1.ReflectionDefinition[] = [];
  const caveats: v1.ReflectionCaveat[] = [];
  for (const item of ast.items) {
    if (item.kind === "definition") definitions.push(reflectDefinition(item));
    else if (item.kind === "caveat") caveats.push(reflectCaveat(item));
  }
  return { definitions, caveats };
}

function reflectDefinition(definition: DefinitionAst): v1.ReflectionDefinition {
  const parentDefinitionName = definition.name.value;
  const relations: v1.ReflectionRelation[] = [];
  const permissions: v1.ReflectionPermission[] = [];
  for (const member of definition.members) {
    const described = { name: member.name.value, comment: commentOf(member), parentDefinitionName };
    if (member.kind === "relation") {
      relations.push({ ...described, subjectTypes: member.subjects.map(typeReference) });
    } else {
      permissions.push(described);
    }
  }
  return { name: parentDefinitionName, comment: commentOf(definition), relations, permissions };
}

/** typeReference is one subject type a relation admits: an object, a subject set or a wildcard. */
export function typeReference(subject: AllowedSubjectAst): v1.ReflectionTypeReference {
  const typeref: v1.ReflectionTypeReference["typeref"] = subject.wildcard
    ? { oneofKind: "isPublicWildcard", isPublicWildcard: true }
    : subject.relation !== undefined
      ? { oneofKind: "optionalRelationName", optionalRelationName: subject.relation.value }
      : { oneofKind: "isTerminalSubject", isTerminalSubject: true };
  return {
    subjectDefinitionName: subject.type.value,
    optionalCaveatName: subject.caveat?.value ?? "",
    typeref,
  };
}

function reflectCaveat(caveat: CaveatAst): v1.ReflectionCaveat {
  const parentCaveatName = caveat.name.value;
  return {
    name: parentCaveatName,
    comment: commentOf(caveat),
    parameters: caveat.parameters.map((parameter) => ({
      name: parameter.name.value,
      type: typeText(parameter.type),
      parentCaveatName,
    })),
    expression: caveat.expression,
  };
}

/** typeText is a caveat parameter's type as the schema language writes it: `list<string>`. */
function typeText(type: CaveatTypeAst): string {
  if (type.arguments.length === 0) return type.name.value;
  return `${type.name.value}<${type.arguments.map(typeText).join(", ")}>`;
}

/** commentOf is the comments written on the lines before a node, as written, one per line. */
function commentOf(node: Commented): string {
  return node.comments.join("\n");
}

/**
 * filterReflection keeps what any of filters selects (all of it when there are none), as
 * ReflectSchema's `optional_filters` do, each name a prefix: a filter naming a definition selects
 * the definitions it begins, with their relations whose names begin with its relation filter and
 * their permissions whose names begin with its permission filter (all their members when it
 * names neither); a filter naming a caveat selects the caveats it begins; a filter naming nothing
 * selects everything. A relation or permission filter needs a definition filter beside it.
 */
export function filterReflection(
  reflection: SchemaReflection,
  filters: readonly v1.ReflectionSchemaFilter[],
): SchemaReflection {
  if (filters.length === 0) return reflection;
  filters.forEach(requireDefinitionFilter);
  const definitions = reflection.definitions.flatMap((definition) => {
    const chosen = filters.filter((f) => selectsDefinition(f, definition.name));
    if (chosen.length === 0) return [];
    const kept = (name: string, filterOf: (f: v1.ReflectionSchemaFilter) => string) =>
      chosen.some((f) => namesNoMember(f) || (filterOf(f) !== "" && name.startsWith(filterOf(f))));
    return [
      {
        ...definition,
        relations: definition.relations.filter((r) =>
          kept(r.name, (f) => f.optionalRelationNameFilter),
        ),
        permissions: definition.permissions.filter((p) =>
          kept(p.name, (f) => f.optionalPermissionNameFilter),
        ),
      },
    ];
  });
  const caveats = reflection.caveats.filter((caveat) =>
    filters.some(
      (f) =>
        namesNothing(f) ||
        (f.optionalCaveatNameFilter !== "" && caveat.name.startsWith(f.optionalCaveatNameFilter)),
    ),
  );
  return { definitions, caveats };
}

function requireDefinitionFilter(filter: v1.ReflectionSchemaFilter, index: number): void {
  if (filter.optionalDefinitionNameFilter !== "" || namesNoMember(filter)) return;
  const member = filter.optionalRelationNameFilter !== "" ? "relation" : "permission";
  throw new RequestError(
    `optional_filters[${index}].optional_${member}_name_filter`,
    `optional_filters[${index}]: a ${member} name filter needs optional_definition_name_filter beside it (the definition whose ${member}s it filters)`,
  );
}

function selectsDefinition(filter: v1.ReflectionSchemaFilter, name: string): boolean {
  if (namesNothing(filter)) return true;
  const prefix = filter.optionalDefinitionNameFilter;
  return prefix !== "" && name.startsWith(prefix);
}

function namesNoMember(filter: v1.ReflectionSchemaFilter): boolean {
  return filter.optionalRelationNameFilter === "" && filter.optionalPermissionNameFilter === "";
}

function namesNothing(filter: v1.ReflectionSchemaFilter): boolean {
  return (
    namesNoMember(filter) &&
    filter.optionalDefinitionNameFilter === "" &&
    filter.optionalCaveatNameFilter === ""
  );
}
