// SpiceDB's DiffSchema: what changes from the stored schema to another, as authzed.api.v1 lists it.

import type { v1 } from "@authzed/authzed-node";
import type { CompiledSchema } from "../schema/compiled-schema.js";
import type { SchemaReflection } from "./schema-reflection.js";

/** DiffedSchema is one side of a diff: its reflection, and its compiled form for the permissions' expressions. */
export interface DiffedSchema {
  readonly reflection: SchemaReflection;
  readonly compiled: CompiledSchema;
}

type Diff = v1.ReflectionSchemaDiff["diff"];

/**
 * diffSchemas lists the changes from existing to comparison: definitions and caveats added or
 * removed, or whose comment changed; relations and permissions added, removed or re-commented; a
 * relation's subject types added or removed; a permission's expression changed (compared as
 * compiled, so that formatting and parentheses that change nothing are no change); a caveat's
 * expression changed (compared as text) and its parameters added, removed or retyped. Removed
 * things are described as they were, everything else as it is in comparison. Changes come in the
 * order of the existing schema, then what comparison adds in its order.
 */
export function diffSchemas(existing: DiffedSchema, comparison: DiffedSchema): Diff[] {
  const diffs: Diff[] = [];
  const pairs = paired(existing.reflection.definitions, comparison.reflection.definitions);
  for (const [before, after] of pairs) {
    if (after === undefined)
      diffs.push({ oneofKind: "definitionRemoved", definitionRemoved: before! });
    else if (before === undefined)
      diffs.push({ oneofKind: "definitionAdded", definitionAdded: after });
    else diffs.push(...definitionChanges(before, after, existing.compiled, comparison.compiled));
  }
  for (const [before, after] of paired(
    existing.reflection.caveats,
    comparison.reflection.caveats,
  )) {
    if (after === undefined) diffs.push({ oneofKind: "caveatRemoved", caveatRemoved: before! });
    else if (before === undefined) diffs.push({ oneofKind: "caveatAdded", caveatAdded: after });
    else diffs.push(...caveatChanges(before, after));
  }
  return diffs;
}

function definitionChanges(
  before: v1.ReflectionDefinition,
  after: v1.ReflectionDefinition,
  beforeSchema: CompiledSchema,
  afterSchema: CompiledSchema,
): Diff[] {
  const diffs: Diff[] = [];
  if (before.comment !== after.comment) {
    diffs.push({ oneofKind: "definitionDocCommentChanged", definitionDocCommentChanged: after });
  }
  for (const [was, is] of paired(before.relations, after.relations)) {
    if (is === undefined) diffs.push({ oneofKind: "relationRemoved", relationRemoved: was! });
    else if (was === undefined) diffs.push({ oneofKind: "relationAdded", relationAdded: is });
    else diffs.push(...relationChanges(was, is));
  }
  for (const [was, is] of paired(before.permissions, after.permissions)) {
    if (is === undefined) diffs.push({ oneofKind: "permissionRemoved", permissionRemoved: was! });
    else if (was === undefined) diffs.push({ oneofKind: "permissionAdded", permissionAdded: is });
    else {
      if (was.comment !== is.comment) {
        diffs.push({ oneofKind: "permissionDocCommentChanged", permissionDocCommentChanged: is });
      }
      if (expressionOf(beforeSchema, was) !== expressionOf(afterSchema, is)) {
        diffs.push({ oneofKind: "permissionExprChanged", permissionExprChanged: is });
      }
    }
  }
  return diffs;
}

function relationChanges(was: v1.ReflectionRelation, is: v1.ReflectionRelation): Diff[] {
  const diffs: Diff[] = [];
  if (was.comment !== is.comment) {
    diffs.push({ oneofKind: "relationDocCommentChanged", relationDocCommentChanged: is });
  }
  const wasTypes = new Map(was.subjectTypes.map((t) => [typeKey(t), t]));
  const isTypes = new Map(is.subjectTypes.map((t) => [typeKey(t), t]));
  for (const [typeName, type] of wasTypes) {
    if (!isTypes.has(typeName)) {
      const relationSubjectTypeRemoved = { relation: is, changedSubjectType: type };
      diffs.push({ oneofKind: "relationSubjectTypeRemoved", relationSubjectTypeRemoved });
    }
  }
  for (const [typeName, type] of isTypes) {
    if (!wasTypes.has(typeName)) {
      const relationSubjectTypeAdded = { relation: is, changedSubjectType: type };
      diffs.push({ oneofKind: "relationSubjectTypeAdded", relationSubjectTypeAdded });
    }
  }
  return diffs;
}

function caveatChanges(was: v1.ReflectionCaveat, is: v1.ReflectionCaveat): Diff[] {
  const diffs: Diff[] = [];
  if (was.comment !== is.comment) {
    diffs.push({ oneofKind: "caveatDocCommentChanged", caveatDocCommentChanged: is });
  }
  if (was.expression !== is.expression) {
    diffs.push({ oneofKind: "caveatExprChanged", caveatExprChanged: is });
  }
  for (const [old, parameter] of paired(was.parameters, is.parameters)) {
    if (parameter === undefined) {
      diffs.push({ oneofKind: "caveatParameterRemoved", caveatParameterRemoved: old! });
    } else if (old === undefined) {
      diffs.push({ oneofKind: "caveatParameterAdded", caveatParameterAdded: parameter });
    } else if (old.type !== parameter.type) {
      const caveatParameterTypeChanged = { parameter, previousType: old.type };
      diffs.push({ oneofKind: "caveatParameterTypeChanged", caveatParameterTypeChanged });
    }
  }
  return diffs;
}

/**
 * paired matches two lists of named things by name: those of before in its order (each with its
 * namesake in after, or undefined), then those only in after, in its order.
 */
function paired<T extends { readonly name: string }>(
  before: readonly T[],
  after: readonly T[],
): [T | undefined, T | undefined][] {
  const afterByName = new Map(after.map((item) => [item.name, item]));
  const beforeNames = new Set(before.map((item) => item.name));
  return [
    ...before.map((item): [T, T | undefined] => [item, afterByName.get(item.name)]),
    ...after
      .filter((item) => !beforeNames.has(item.name))
      .map((item): [undefined, T] => [undefined, item]),
  ];
}

/** typeKey tells subject types apart: the type, how it is referenced, and its caveat. */
function typeKey(type: v1.ReflectionTypeReference): string {
  const { typeref } = type;
  const reference =
    typeref.oneofKind === "optionalRelationName"
      ? `#${typeref.optionalRelationName}`
      : typeref.oneofKind === "isPublicWildcard"
        ? ":*"
        : "";
  return `${type.subjectDefinitionName}${reference} with ${type.optionalCaveatName}`;
}

/** expressionOf is a permission's compiled rewrite, as text to compare. */
function expressionOf(schema: CompiledSchema, permission: v1.ReflectionPermission): string {
  const member = schema.member(permission.parentDefinitionName, permission.name);
  return JSON.stringify(member?.kind === "permission" ? member.rewrite : undefined);
}
