// Checks one `validation` entry: the membership set computed from the data against the expected subjects.

import { EngineError } from "../engine/engine-error.js";
import type { CompiledSchema } from "../schema/compiled-schema.js";
import type { SnapshotReader } from "../store/store.js";
import { formatSubjectRef } from "../tuple/format-relationship.js";
import { parseSubjectRef } from "../tuple/parse-ref.js";
import { WILDCARD } from "../tuple/relationship.js";
import { expectedMembership } from "./expansion-membership.js";
import { type ExpectedSubject, parseExpectedSubject } from "./expected-subject.js";
import { exclusionStrings, memberString, relationsString } from "./member-string.js";
import { listMembers, type Member } from "./membership-set.js";
import type { ExpectationSource } from "./validation-document.js";
import { ValidationError } from "./validation-error.js";
import { type Place, type Problem, problemAt } from "./validation-problem.js";

/**
 * runExpectation computes the membership set of the entry's `type:id#relation` and compares it
 * with the expected subjects: each expected subject must be found, with the same `<relations>`
 * (compared as sets), the same caveat mark and, for a wildcard, the same exclusions; every subject
 * found must be expected. Mismatches are problems at the expected entry, unexpected subjects at
 * the key (with the entry to add). The expansion goes at most maxDepth levels deep.
 */
export async function runExpectation(
  schema: CompiledSchema,
  reader: SnapshotReader,
  source: ExpectationSource,
  maxDepth: number,
): Promise<Problem[]> {
  const { key } = source;
  const at = (place: Place, message: string) => problemAt(place, `${key}: ${message}`);
  const parsedKey = parseSubjectRef(key);
  if (!parsedKey.ok || parsedKey.value.relation === undefined || parsedKey.value.id === WILDCARD) {
    const why = parsedKey.ok ? "expected type:id#relation" : parsedKey.error.message;
    return [at(source.place, `invalid object and relation: ${why}`)];
  }
  const { type, id, relation } = parsedKey.value;
  let members: Member[];
  try {
    members = listMembers(
      await expectedMembership(schema, reader, { type, id }, relation, maxDepth),
    );
  } catch (error) {
    if (error instanceof EngineError || error instanceof ValidationError) {
      return [at(source.place, error.message)];
    }
    throw error;
  }
  const found = new Map(members.map((member) => [formatSubjectRef(member.subject), member]));
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const entry of source.subjects) {
    const parsed = parseExpectedSubject(entry.text);
    if (!parsed.ok) {
      problems.push(at(entry.place, parsed.message));
      continue;
    }
    const name = formatSubjectRef(parsed.expected.subject);
    seen.add(name);
    const member = found.get(name);
    const mismatch = member
      ? compare(member, parsed.expected, name)
      : [`missing expected subject ${name}`];
    problems.push(...mismatch.map((message) => at(entry.place, message)));
  }
  for (const member of members) {
    if (seen.has(formatSubjectRef(member.subject))) continue;
    problems.push(at(source.place, `unexpected subject: ${JSON.stringify(memberString(member))}`));
  }
  return problems;
}

function compare(member: Member, expected: ExpectedSubject, name: string): string[] {
  const mismatches: string[] = [];
  const foundRelations = relationsString([...member.found.relations]);
  const expectedRelations = relationsString(expected.relations);
  if (foundRelations !== expectedRelations) {
    mismatches.push(
      `${name} is ${foundRelations || "in no relation"}, expected ${expectedRelations || "none"}`,
    );
  }
  if (member.found.caveated !== expected.caveated) {
    mismatches.push(
      member.found.caveated
        ? `${name} is caveated ([...]), expected not caveated`
        : `${name} is not caveated, expected caveated ([...])`,
    );
  }
  const expectedExclusions = expected.exceptions
    .map((e) => formatSubjectRef(e.subject) + (e.caveated ? "[...]" : ""))
    .sort();
  if (member.subject.id !== WILDCARD) {
    if (expectedExclusions.length > 0)
      mismatches.push(`${name} is not a wildcard and excludes nothing`);
    return mismatches;
  }
  const foundExclusions = exclusionStrings(member);
  if (foundExclusions.join(", ") !== expectedExclusions.join(", ")) {
    mismatches.push(
      `${name} excludes {${foundExclusions.join(", ")}}, expected {${expectedExclusions.join(", ")}}`,
    );
  }
  return mismatches;
}
