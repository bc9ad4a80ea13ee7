// The scanning shared by the relationship parsers: tokens, expected characters, positioned failures.

import { describeChar, describeIssue, type Issue } from "./issue.js";
import type { ParseResult, TupleErrorCode, TupleParseError } from "./parse-error.js";

/** Parsed is a value read from a text and the offset just past it. */
export interface Parsed<T> {
  readonly value: T;
  readonly end: number;
}

/** ParseFailure carries a parse error out of nested readers up to {@link attempt}. */
export class ParseFailure extends Error {
  constructor(readonly error: TupleParseError) {
    super(error.message);
  }
}

/** attempt runs a parse, turning a {@link ParseFailure} into an error result. */
export function attempt<T>(parse: () => T): ParseResult<T> {
  try {
    return { ok: true, value: parse() };
  } catch (thrown) {
    if (thrown instanceof ParseFailure) return { ok: false, error: thrown.error };
    throw thrown;
  }
}

/** fail stops the parse with an error at offset. */
export function fail(code: TupleErrorCode, message: string, offset: number): never {
  throw new ParseFailure({ code, message, offset, column: offset + 1 });
}

/** failExpected stops the parse with `expected WHAT at column N, found X`. */
export function failExpected(text: string, offset: number, what: string): never {
  fail(
    "syntax",
    `expected ${what} at column ${offset + 1}, found ${describeChar(text, offset)}`,
    offset,
  );
}

/** expectChar fails unless text has char at offset, saying where it belongs (`after the relation`). */
export function expectChar(text: string, offset: number, char: string, where: string): void {
  if (text[offset] !== char) failExpected(text, offset, `'${char}' ${where}`);
}

const DELIMITERS = new Set([":", "#", "@", "[", "]"]);

/** scanToken returns where the token at start ends: at the next delimiter `: # @ [ ]` or the end. */
export function scanToken(text: string, start: number): number {
  let end = start;
  while (end < text.length && !DELIMITERS.has(text[end] ?? "")) end++;
  return end;
}

/**
 * readToken reads the token at start and checks it with check, failing with code if it is empty
 * (`expected a FIELD WHERE`) or breaks the rule (`invalid FIELD "..." at column N: ...`).
 */
export function readToken(
  text: string,
  start: number,
  field: string,
  where: string,
  code: TupleErrorCode,
  check: (token: string) => Issue | undefined,
): string {
  const end = scanToken(text, start);
  if (end === start) failExpected(text, start, `${article(field)} ${field}${where && ` ${where}`}`);
  const token = text.slice(start, end);
  const issue = check(token);
  if (issue !== undefined) {
    const offset = start + issue.index;
    fail(code, describeIssue(field, token, `column ${offset + 1}`, issue.problem), offset);
  }
  return token;
}

function article(noun: string): string {
  return /^[aeiou]/.test(noun) ? "an" : "a";
}
