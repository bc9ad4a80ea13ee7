// Parses an expected-relations string: `[user:alice] is <document:plan#viewer>/<group:eng#member>`.

import { formatSubjectRef } from "../tuple/format-relationship.js";
import { parseSubjectRef } from "../tuple/parse-ref.js";
import type { SubjectRef } from "../tuple/relationship.js";

/** ExpectedSubject is a subject expected in a membership set, caveated or not, with its relations. */
export interface ExpectedSubject {
  readonly subject: SubjectRef;
  readonly caveated: boolean;
  /** For a wildcard: `[user:* - {user:bob, user:eve[...]}]`. */
  readonly exceptions: readonly { readonly subject: SubjectRef; readonly caveated: boolean }[];
  /** The `<type:id#relation>` sets, normalized, in the order written. */
  readonly relations: readonly string[];
}

/** ParsedExpectedSubject is the expectation, or why the string is not one. */
export type ParsedExpectedSubject =
  | { readonly ok: true; readonly expected: ExpectedSubject }
  | { readonly ok: false; readonly message: string };

// The patterns of SpiceDB's validationfile package, so that the same strings are accepted.
const SUBJECT = /\[(.*)]/;
const SUBJECT_PARTS = /^([^\]\s]+)(\[\.\.\.])?(\s+-\s+\{([^}]+)})?$/;
const RELATION = /<([^>]+)>/g;
const CAVEATED = "[...]";

/**
 * parseExpectedSubject parses `[subject] is <type:id#relation>/...`: the subject may be `type:id`,
 * `type:id#relation` or `type:*`, marked caveated with `[...]`, and a wildcard may list
 * exceptions `- {type:id, type:id[...]}`.
 */
export function parseExpectedSubject(text: string): ParsedExpectedSubject {
  const inner = SUBJECT.exec(text)?.[1]?.trim();
  if (inner === undefined) {
    return {
      ok: false,
      message: `expected \`[subject] is <type:id#relation>\`, got ${JSON.stringify(text)}`,
    };
  }
  const parts = SUBJECT_PARTS.exec(inner);
  if (parts === null) return { ok: false, message: `invalid subject \`${inner}\`` };
  const subject = parseSubjectRef(parts[1]!);
  if (!subject.ok)
    return { ok: false, message: `invalid subject \`${parts[1]}\`: ${subject.error.message}` };
  const exceptions: { subject: SubjectRef; caveated: boolean }[] = [];
  for (const raw of parts[4]?.split(",") ?? []) {
    const trimmed = raw.trim();
    const caveated = trimmed.endsWith(CAVEATED);
    const written = caveated ? trimmed.slice(0, -CAVEATED.length).trim() : trimmed;
    const exception = parseSubjectRef(written);
    if (!exception.ok) {
      return {
        ok: false,
        message: `invalid excluded subject \`${written}\`: ${exception.error.message}`,
      };
    }
    exceptions.push({ subject: exception.value, caveated });
  }
  const relations: string[] = [];
  for (const match of text.matchAll(RELATION)) {
    const relation = parseSubjectRef(match[1]!);
    if (!relation.ok || relation.value.relation === undefined) {
      const why = relation.ok ? "expected type:id#relation" : relation.error.message;
      return { ok: false, message: `invalid relation \`<${match[1]}>\`: ${why}` };
    }
    relations.push(formatSubjectRef(relation.value));
  }
  const expected = {
    subject: subject.value,
    caveated: parts[2] !== undefined,
    exceptions,
    relations,
  };
  return { ok: true, expected };
}
