// The message of a refused schema write: per removal, the relationships it would orphan and how to delete them.

import { SUSPENSION_DEFINITION } from "../agents/suspension-names.js";
import type { AllowedSubject, CompiledSchema } from "../schema/compiled-schema.js";
import { describeAllowed } from "../schema/relationship-fit.js";
import type { Removal } from "../schema/schema-removals.js";
import { formatRelationship, formatSubjectRef } from "../tuple/format-relationship.js";
import type { Relationship } from "../tuple/relationship.js";
import { describeFound, type FoundRelationships } from "./found-relationships.js";

/**
 * Orphaned is a removal that live relationships rest on: a few of them, and how many there are
 * (`atLeast` when counting stopped at its cap).
 */
export interface Orphaned extends FoundRelationships {
  readonly removal: Removal;
}

/**
 * orphanReport says why a schema write to next is refused: for each removal, the relationships
 * it would orphan (counted, with examples) and the command that deletes them; `unlisted` more
 * removals orphan relationships too.
 */
export function orphanReport(
  next: CompiledSchema,
  orphaned: readonly Orphaned[],
  unlisted: number,
): string {
  const lines = [
    "the schema does not allow relationships the store holds; delete them first, or keep allowing them:",
  ];
  for (const found of orphaned) {
    const { removal, examples, count } = found;
    const { counted, listed } = describeFound(found);
    lines.push(`- ${describeRemoval(next, removal)}: ${counted}${listed}`);
    lines.push(`  ${deleteCommand(next, removal, examples, count)}`);
  }
  if (unlisted > 0) {
    lines.push(
      `- ${unlisted} more removal${unlisted === 1 ? "" : "s"} orphan relationships too: delete those above and write the schema again to see them`,
    );
  }
  return lines.join("\n");
}

function describeRemoval(next: CompiledSchema, removal: Removal): string {
  if (isSuspension(removal)) {
    const { type, wildcard } = removal.subject;
    return `definition '${type}' is removed while ${wildcard ? `${type}:* is` : `objects of it are`} suspended`;
  }
  switch (removal.kind) {
    case "definition":
      return `definition '${removal.definition}' is removed`;
    case "relation": {
      const name = `${removal.definition}#${removal.relation}`;
      return next.member(removal.definition, removal.relation) === undefined
        ? `relation '${name}' is removed`
        : `'${name}' becomes a permission`;
    }
    case "subject":
      return `${removal.definition}#${removal.relation} no longer allows ${describeAllowed(removal.subject)}`;
  }
}

/**
 * deleteCommand is the `latch` command that deletes the relationships of removal: a delete by
 * filter when a filter selects them and nothing next still allows; else the relationships
 * themselves when the examples are all of them, or how to find them.
 */
function deleteCommand(
  next: CompiledSchema,
  removal: Removal,
  examples: readonly Relationship[],
  count: number,
): string {
  if (isSuspension(removal)) {
    // Suspensions are lifted through AgentService: a delete of them is refused.
    if (count > examples.length) {
      return "list them with latch suspensions and lift each first: latch resume SUBJECT";
    }
    const commands = examples.map((r) => `latch resume ${formatSubjectRef(r.subject)}`).sort();
    return `lift ${count === 1 ? "it" : "them"} first: ${commands.join("; ")}`;
  }
  const filter = filterText(removal);
  if (removal.kind !== "subject" || !keepsSubjectsOf(next, removal)) {
    return `delete ${count === 1 ? "it" : "them"}: latch rel delete --filter '${filter}'`;
  }
  if (count === examples.length) {
    const keys = examples
      .map(
        ({ resource, relation, subject }) =>
          `'${formatRelationship({ resource, relation, subject })}'`,
      )
      .sort();
    return `delete ${count === 1 ? "it" : "them"}: latch rel delete ${keys.join(" ")}`;
  }
  return `find them with latch rel read '${filter}' (which lists the ones the schema still allows too) and delete each: latch rel delete REL...`;
}

/** isSuspension says whether removal takes a type's suspensions from Latch's built-in definition. */
function isSuspension(removal: Removal): removal is Removal & { kind: "subject" } {
  return removal.kind === "subject" && removal.definition === SUSPENSION_DEFINITION;
}

/** filterText is the `latch rel` filter for the relationships of removal, and maybe others. */
function filterText(removal: Removal): string {
  if (removal.kind === "definition") return removal.definition;
  const relation = `${removal.definition}#${removal.relation}`;
  if (removal.kind === "relation") return relation;
  const { type, relation: subjectRelation, wildcard } = removal.subject;
  if (wildcard) return `${relation}@${type}:*`;
  return `${relation}@${type}#${subjectRelation ?? "..."}`;
}

/**
 * keepsSubjectsOf says whether next still allows some of the relationships that the filter of a
 * subject removal selects: `@user#...` selects `user` and `user:*` with any caveat or expiry,
 * `@user:*` any `user:*`, `@group#member` any `group#member`.
 */
function keepsSubjectsOf(next: CompiledSchema, removal: Removal & { kind: "subject" }): boolean {
  const member = next.member(removal.definition, removal.relation);
  const kept: readonly AllowedSubject[] = member?.kind === "relation" ? member.allowedSubjects : [];
  const removed = removal.subject;
  return kept.some(
    (subject) =>
      subject.type === removed.type &&
      (removed.wildcard
        ? subject.wildcard
        : removed.relation === undefined
          ? subject.relation === undefined
          : subject.relation === removed.relation),
  );
}
