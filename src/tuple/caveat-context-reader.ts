// Reads a caveat context, a JSON object, from inside a relationship's text, with positioned errors.

import { MAX_CONTEXT_DEPTH, stringProblem } from "./context-limits.js";
import { describeChar } from "./issue.js";
import { fail, type Parsed } from "./text-reader.js";

/** The bound every caveat context keeps; it also bounds the recursion on hostile input. */
const MAX_DEPTH = MAX_CONTEXT_DEPTH;
const ESCAPES = new Set(['"', "\\", "/", "b", "f", "n", "r", "t"]);
const HEX4 = /^[0-9a-fA-F]{4}$/;
const WHITESPACE = new Set([" ", "\t", "\n", "\r"]);

/**
 * readCaveatContext reads the JSON object that starts with the '{' at start, as JSON.parse would
 * (duplicate keys: the last wins; `__proto__` is an ordinary key), failing at the first character
 * that is not valid JSON, or at a value past the bounds every context keeps (nesting, strings; see
 * checkContext, which the caller applies to the whole).
 */
export function readCaveatContext(
  text: string,
  start: number,
): Parsed<Readonly<Record<string, unknown>>> {
  const reader = new JsonReader(text, start);
  const value = reader.object(1);
  return { value, end: reader.pos };
}

class JsonReader {
  constructor(
    private readonly text: string,
    public pos: number,
  ) {}

  object(depth: number): Record<string, unknown> {
    if (depth > MAX_DEPTH) this.invalid(`nested deeper than ${MAX_DEPTH} levels`, this.pos);
    this.pos++;
    const entries: [string, unknown][] = [];
    this.skipWhitespace();
    if (this.text[this.pos] === "}") {
      this.pos++;
      return {};
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.pos] !== '"') {
        this.expected(entries.length === 0 ? "a string key or '}'" : "a string key");
      }
      const key = this.string();
      this.skipWhitespace();
      if (this.text[this.pos] !== ":") this.expected("':' after an object key");
      this.pos++;
      entries.push([key, this.value(depth)]);
      this.skipWhitespace();
      const next = this.text[this.pos];
      this.pos++;
      if (next === "}") return Object.fromEntries(entries);
      if (next !== ",") {
        this.pos--;
        this.expected("',' or '}' after an object value");
      }
    }
  }

  private array(depth: number): unknown[] {
    if (depth > MAX_DEPTH) this.invalid(`nested deeper than ${MAX_DEPTH} levels`, this.pos);
    this.pos++;
    const values: unknown[] = [];
    this.skipWhitespace();
    if (this.text[this.pos] === "]") {
      this.pos++;
      return values;
    }
    for (;;) {
      values.push(this.value(depth));
      this.skipWhitespace();
      const next = this.text[this.pos];
      this.pos++;
      if (next === "]") return values;
      if (next !== ",") {
        this.pos--;
        this.expected("',' or ']' after an array element");
      }
    }
  }

  private value(depth: number): unknown {
    this.skipWhitespace();
    const char = this.text[this.pos];
    if (char === "{") return this.object(depth + 1);
    if (char === "[") return this.array(depth + 1);
    if (char === '"') return this.string();
    if (char === "-" || isDigit(char)) return this.number();
    for (const [word, value] of [
      ["true", true],
      ["false", false],
      ["null", null],
    ] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return value;
      }
    }
    return this.expected("a JSON value");
  }

  private string(): string {
    const start = this.pos;
    this.pos++;
    for (;;) {
      const char = this.text[this.pos];
      if (char === undefined) this.expected("'\"' to close the string");
      if (char === '"') break;
      if (char === "\\") {
        const escaped = this.text[this.pos + 1];
        if (escaped === "u") {
          if (!HEX4.test(this.text.slice(this.pos + 2, this.pos + 6))) {
            this.invalid("expected 4 hex digits after '\\u'", this.pos);
          }
          this.pos += 6;
          continue;
        }
        if (escaped === undefined || !ESCAPES.has(escaped)) {
          this.invalid(`invalid escape '\\${escaped ?? ""}' in a string`, this.pos);
        }
        this.pos += 2;
        continue;
      }
      if (char < " ") {
        this.invalid(`${describeChar(this.text, this.pos)} must be escaped in a string`, this.pos);
      }
      this.pos++;
    }
    this.pos++;
    // The slice is a well-formed JSON string now; JSON.parse decodes its escapes.
    const value = JSON.parse(this.text.slice(start, this.pos)) as string;
    const problem = stringProblem(value);
    if (problem !== undefined) {
      const message = `invalid caveat context: the string at column ${start + 1} ${problem}`;
      fail("invalid-caveat-context", message, start);
    }
    return value;
  }

  private number(): number {
    const start = this.pos;
    if (this.text[this.pos] === "-") this.pos++;
    if (this.text[this.pos] === "0") this.pos++;
    else this.digits("a digit");
    if (this.text[this.pos] === ".") {
      this.pos++;
      this.digits("a digit after '.'");
    }
    if (this.text[this.pos] === "e" || this.text[this.pos] === "E") {
      this.pos++;
      if (this.text[this.pos] === "+" || this.text[this.pos] === "-") this.pos++;
      this.digits("a digit in the exponent");
    }
    const value = Number(this.text.slice(start, this.pos));
    if (!Number.isFinite(value)) this.invalid("number out of range", start);
    return value;
  }

  private digits(what: string): void {
    if (!isDigit(this.text[this.pos])) this.expected(what);
    while (isDigit(this.text[this.pos])) this.pos++;
  }

  private skipWhitespace(): void {
    while (WHITESPACE.has(this.text[this.pos] ?? "")) this.pos++;
  }

  private expected(what: string): never {
    const found = describeChar(this.text, this.pos);
    this.invalid(`expected ${what}`, this.pos, `, found ${found}`);
  }

  private invalid(problem: string, offset: number, found = ""): never {
    fail(
      "invalid-caveat-context",
      `invalid JSON in caveat context: ${problem} at column ${offset + 1}${found}`,
      offset,
    );
  }
}

function isDigit(char: string | undefined): boolean {
  return char !== undefined && char >= "0" && char <= "9";
}
