// Parses object references (`document:plan`) and subject references (`group:eng#member`, `user:*`).

import { checkObjectId, checkObjectType, checkRelation, checkSubjectId } from "./identifiers.js";
import type { ParseResult } from "./parse-error.js";
import { type ObjectRef, type SubjectRef, WILDCARD } from "./relationship.js";
import {
  attempt,
  expectChar,
  fail,
  failExpected,
  type Parsed,
  readToken,
  scanToken,
} from "./text-reader.js";

/** SpiceDB writes the subject "the object itself" as relation `...`; we leave the relation out. */
const ELLIPSIS = "...";

/** parseObjectRef parses `type:id`, such as `document:plan`. */
export function parseObjectRef(text: string): ParseResult<ObjectRef> {
  return attempt(() => expectEnd(text, readObjectRef(text, 0, "object"), "the object id"));
}

/**
 * parseSubjectRef parses `type:id`, `type:id#relation` or `type:*`, such as `group:eng#member`.
 * SpiceDB's `type:id#...` means the object itself and parses as `type:id`.
 */
export function parseSubjectRef(text: string): ParseResult<SubjectRef> {
  return attempt(() => expectEnd(text, readSubjectRef(text, 0), "the subject"));
}

/** readObjectRef reads `type:id` at start; role (`resource`, `object`) names its parts in errors. */
export function readObjectRef(text: string, start: number, role: string): Parsed<ObjectRef> {
  const { type, idStart } = readType(text, start, role);
  const id = readToken(
    text,
    idStart,
    `${role} id`,
    "after ':'",
    "invalid-object-id",
    checkObjectId,
  );
  return { value: { type, id }, end: idStart + id.length };
}

/** readSubjectRef reads `type:id`, `type:id#relation` or `type:*` at start. */
export function readSubjectRef(text: string, start: number): Parsed<SubjectRef> {
  const { type, idStart } = readType(text, start, "subject");
  const id = readToken(
    text,
    idStart,
    "subject id",
    "after ':'",
    "invalid-object-id",
    checkSubjectId,
  );
  const hash = idStart + id.length;
  if (text[hash] !== "#") return { value: { type, id }, end: hash };
  const relationEnd = scanToken(text, hash + 1);
  if (text.slice(hash + 1, relationEnd) === ELLIPSIS) {
    return { value: { type, id }, end: relationEnd };
  }
  if (id === WILDCARD) {
    const found = JSON.stringify(text.slice(hash, relationEnd));
    fail(
      "wildcard-relation",
      `a wildcard subject can't have a relation at column ${hash + 1}, found ${found}`,
      hash,
    );
  }
  const relation = readToken(
    text,
    hash + 1,
    "subject relation",
    "after '#'",
    "invalid-relation",
    checkRelation,
  );
  return { value: { type, id, relation }, end: relationEnd };
}

function readType(text: string, start: number, role: string): { type: string; idStart: number } {
  const field = `${role} type`;
  const type = readToken(text, start, field, "", "invalid-object-type", checkObjectType);
  const colon = start + type.length;
  expectChar(text, colon, ":", `after the ${field}`);
  return { type, idStart: colon + 1 };
}

function expectEnd<T>(text: string, parsed: Parsed<T>, what: string): T {
  if (parsed.end < text.length) failExpected(text, parsed.end, `end of input after ${what}`);
  return parsed.value;
}
