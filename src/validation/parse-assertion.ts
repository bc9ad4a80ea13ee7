// Parses an assertion: `resource#permission@subject`, optionally followed by ` with {json context}`.

import type { CaveatContext } from "../schema/caveat/compiled-caveat.js";
import { parseRelationship } from "../tuple/parse-relationship.js";
import type { ObjectRef, SubjectRef } from "../tuple/relationship.js";

/** AssertionCheck is the check an assertion asks for. */
export interface AssertionCheck {
  readonly resource: ObjectRef;
  readonly permission: string;
  readonly subject: SubjectRef;
  readonly context?: CaveatContext;
}

/** ParsedAssertion is the check, or why the text is not an assertion and the 0-based offset to blame. */
export type ParsedAssertion =
  | { readonly ok: true; readonly check: AssertionCheck }
  | { readonly ok: false; readonly offset: number; readonly message: string };

const WITH = " with ";

/**
 * parseAssertion parses an assertion as zed does: the text up to the first ` with ` is a
 * relationship without caveat or expiration, and what follows is a JSON object, the caveat
 * context of the check.
 */
export function parseAssertion(text: string): ParsedAssertion {
  const start = text.length - text.trimStart().length;
  const trimmed = text.trim();
  const split = trimmed.indexOf(WITH);
  const relationText = split < 0 ? trimmed : trimmed.slice(0, split).trimEnd();
  const parsed = parseRelationship(relationText);
  if (!parsed.ok) {
    return { ok: false, offset: start + parsed.error.offset, message: parsed.error.message };
  }
  const { resource, relation, subject, caveat, expiresAt } = parsed.value;
  if (caveat !== undefined || expiresAt !== undefined) {
    return {
      ok: false,
      offset: start + relationText.indexOf("["),
      message:
        "an assertion cannot have a caveat or an expiration; give caveat context with ` with {...}`",
    };
  }
  const check = { resource, permission: relation, subject };
  if (split < 0) return { ok: true, check };
  const contextAt = start + split + WITH.length;
  const contextText = trimmed.slice(split + WITH.length);
  let context: unknown;
  try {
    context = JSON.parse(contextText);
  } catch (error) {
    return {
      ok: false,
      offset: contextAt,
      message: `invalid caveat context: ${(error as Error).message}`,
    };
  }
  if (typeof context !== "object" || context === null || Array.isArray(context)) {
    return { ok: false, offset: contextAt, message: "the caveat context must be a JSON object" };
  }
  return { ok: true, check: { ...check, context: context as CaveatContext } };
}
