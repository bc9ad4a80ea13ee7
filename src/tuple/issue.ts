// A rule violation found inside a value, and how to describe it to a person.

/** Issue is the first rule a value breaks: the 0-based index of the offending character and why. */
export interface Issue {
  readonly index: number;
  readonly problem: string;
}

const MAX_QUOTED_LENGTH = 64;

/**
 * describeIssue words an issue as `invalid FIELD "VALUE" at WHERE: PROBLEM`, where WHERE is, for
 * example, `position 3` in a bare value or `column 12` in a relationship's text.
 */
export function describeIssue(
  field: string,
  value: string,
  where: string,
  problem: string,
): string {
  return `invalid ${field} ${quoteValue(value)} at ${where}: ${problem}`;
}

/** quoteValue quotes a value for a message, shortened so that a huge id cannot flood a log. */
export function quoteValue(value: string): string {
  const shown = value.length > MAX_QUOTED_LENGTH ? `${value.slice(0, MAX_QUOTED_LENGTH)}…` : value;
  return JSON.stringify(shown);
}

/** describeChar shows the character at index for a message: `'x'`, `U+000A`, or `end of input`. */
export function describeChar(text: string, index: number): string {
  const codePoint = text.codePointAt(index);
  if (codePoint === undefined) return "end of input";
  if (codePoint < 0x20 || (codePoint >= 0x7f && codePoint < 0xa0)) {
    return `U+${codePoint.toString(16).toUpperCase().padStart(4, "0")}`;
  }
  return `'${String.fromCodePoint(codePoint)}'`;
}
