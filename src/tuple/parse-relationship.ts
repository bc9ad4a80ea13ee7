// Parses a relationship in SpiceDB's text syntax: `document:plan#viewer@user:alice[caveat:{..}][expiration:..]`.

import { readCaveatContext } from "./caveat-context-reader.js";
import { checkContext } from "./context-limits.js";
import { checkCaveatName, checkRelation } from "./identifiers.js";
import { describeChar, describeIssue } from "./issue.js";
import type { ParseResult } from "./parse-error.js";
import { readObjectRef, readSubjectRef } from "./parse-ref.js";
import type { Relationship, RelationshipCaveat } from "./relationship.js";
import { attempt, expectChar, fail, failExpected, type Parsed, readToken } from "./text-reader.js";
import { parseTimestamp, TIMESTAMP_EXAMPLE } from "./timestamp.js";

const EXPIRATION = "expiration";

/**
 * parseRelationship parses `resource#relation@subject`, optionally followed by a caveat
 * (`[name]` or `[name:{json}]`) and then an expiration (`[expiration:2026-12-01T00:00:00Z]`), in
 * that order, as SpiceDB and zed write them. The subject may be `type:id`, `type:id#relation` or
 * `type:*`. Nothing else is allowed: no whitespace outside the JSON context. The error points at
 * the first offending character.
 */
export function parseRelationship(text: string): ParseResult<Relationship> {
  return attempt(() => {
    const resource = readObjectRef(text, 0, "resource");
    expectChar(text, resource.end, "#", "after the resource id");
    const relation = readToken(
      text,
      resource.end + 1,
      "relation",
      "after '#'",
      "invalid-relation",
      checkRelation,
    );
    const at = resource.end + 1 + relation.length;
    expectChar(text, at, "@", "after the relation");
    const subject = readSubjectRef(text, at + 1);
    let end = subject.end;
    let caveat: RelationshipCaveat | undefined;
    let expiresAt: Date | undefined;
    if (end < text.length && text[end] !== "[") {
      failExpected(text, end, "'[' or end of input after the subject");
    }
    if (end < text.length && !isExpiration(text, end)) {
      ({ value: caveat, end } = readCaveat(text, end));
      if (end < text.length && !isExpiration(text, end)) {
        failExpected(text, end, `'[${EXPIRATION}:' or end of input after the caveat`);
      }
    }
    if (end < text.length) ({ value: expiresAt, end } = readExpiration(text, end));
    if (end < text.length) {
      const found = describeChar(text, end);
      const hint = text[end] === "[" ? "; a caveat goes before the expiration" : "";
      const message = `expected end of input after the expiration at column ${end + 1}, found ${found}${hint}`;
      fail("syntax", message, end);
    }
    return {
      resource: resource.value,
      relation,
      subject: subject.value,
      ...(caveat !== undefined && { caveat }),
      ...(expiresAt !== undefined && { expiresAt }),
    };
  });
}

/** isExpiration tells `[expiration:<timestamp>]` from a caveat named expiration (`[expiration:{..}]`). */
function isExpiration(text: string, start: number): boolean {
  const prefix = `[${EXPIRATION}:`;
  return text.startsWith(prefix, start) && text[start + prefix.length] !== "{";
}

function readCaveat(text: string, start: number): Parsed<RelationshipCaveat> {
  const nameStart = start + 1;
  const name = readToken(
    text,
    nameStart,
    "caveat name",
    "after '['",
    "invalid-caveat-name",
    checkCaveatName,
  );
  const next = nameStart + name.length;
  if (text[next] === "]") return { value: { name }, end: next + 1 };
  if (text[next] !== ":") failExpected(text, next, "':' or ']' after the caveat name");
  expectChar(text, next + 1, "{", "to start the caveat context");
  const context = readCaveatContext(text, next + 1);
  const issue = checkContext(context.value);
  if (issue !== undefined) {
    const at = issue.path === "" ? "" : ` at ${issue.path}`;
    const message = `invalid caveat context${at}: ${issue.problem} (the context starts at column ${next + 2})`;
    fail("invalid-caveat-context", message, next + 1);
  }
  expectChar(text, context.end, "]", "after the caveat context");
  return { value: { name, context: context.value }, end: context.end + 1 };
}

function readExpiration(text: string, start: number): Parsed<Date> {
  const timestampStart = start + EXPIRATION.length + 2;
  const close = text.indexOf("]", timestampStart);
  const timestampEnd = close === -1 ? text.length : close;
  const timestamp = text.slice(timestampStart, timestampEnd);
  const parsed = parseTimestamp(timestamp);
  if (!(parsed instanceof Date)) {
    const offset = timestampStart + parsed.index;
    const where = `column ${offset + 1}`;
    const problem = `${parsed.problem}; expected RFC 3339 like ${TIMESTAMP_EXAMPLE}`;
    fail(
      "invalid-expiration",
      describeIssue("expiration timestamp", timestamp, where, problem),
      offset,
    );
  }
  if (close === -1) failExpected(text, timestampEnd, "']' after the expiration timestamp");
  return { value: parsed, end: close + 1 };
}
