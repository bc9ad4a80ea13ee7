// Lexer for the schema language: tokens with positions, comments attached to the token they precede.

import type { Diagnostic } from "./diagnostic.js";
import type { Position, Span } from "./source-span.js";

/** TokenKind is the kind of a lexical token; punctuation tokens are their own text. */
export type TokenKind =
  | "identifier"
  /** The raw CEL text between a caveat's braces. */
  | "cel"
  | "newline"
  | "eof"
  | "{"
  | "}"
  | "("
  | ")"
  | "<"
  | ">"
  | ":"
  | ";"
  | ","
  | "|"
  | "#"
  | "*"
  | "="
  | "+"
  | "-"
  | "&"
  | "."
  | "->"
  | "/"
  | "...";

/** Comment is a `//`, `/* *\/` or `/** *\/` comment, as written. */
export interface Comment {
  readonly text: string;
  readonly span: Span;
  /** True when the comment starts on the line where the previous token ends (a trailing comment). */
  readonly trailing: boolean;
}

/** Token is one lexical token with the comments that came before it. */
export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly span: Span;
  readonly comments: readonly Comment[];
}

/** LexResult holds the tokens of a source text and any lexical errors. */
export interface LexResult {
  readonly tokens: readonly Token[];
  readonly diagnostics: readonly Diagnostic[];
}

const NO_COMMENTS: readonly Comment[] = Object.freeze([]);
const IDENTIFIER = /[A-Za-z0-9_]*/y;

const PUNCTUATION: readonly TokenKind[] = [
  "...",
  "->",
  "{",
  "}",
  "(",
  ")",
  "<",
  ">",
  ":",
  ";",
  ",",
  "|",
  "#",
  "*",
  "=",
  "+",
  "-",
  "&",
  ".",
  "/",
];

/** Scanner walks a source text keeping line and column, so that every span is exact. */
export class Scanner {
  private line = 1;
  private lineStart = 0;
  offset = 0;

  constructor(readonly text: string) {}

  /** position is where the scanner stands now. */
  position(): Position {
    return { line: this.line, column: this.offset - this.lineStart + 1, offset: this.offset };
  }

  peek(ahead = 0): string {
    return this.text.charAt(this.offset + ahead);
  }

  atEnd(): boolean {
    return this.offset >= this.text.length;
  }

  startsWith(s: string): boolean {
    return this.text.startsWith(s, this.offset);
  }

  /** advanceWithinLine skips `count` characters known not to include a newline. */
  advanceWithinLine(count: number): void {
    this.offset += count;
  }

  advance(count = 1): void {
    for (let i = 0; i < count && this.offset < this.text.length; i++) {
      if (this.text.charCodeAt(this.offset) === 10) {
        this.line++;
        this.lineStart = this.offset + 1;
      }
      this.offset++;
    }
  }
}

/** lex splits a schema source into tokens; it never throws, errors become diagnostics. */
export function lex(text: string): LexResult {
  const scanner = new Scanner(text);
  const tokens: Token[] = [];
  const diagnostics: Diagnostic[] = [];
  let comments: readonly Comment[] = NO_COMMENTS;
  let lastTokenLine = 0;
  const caveatBody = createCaveatBodyTracker();

  const push = (kind: TokenKind, start: Position): void => {
    const span = { start, end: scanner.position() };
    const token = { kind, text: text.slice(start.offset, span.end.offset), span, comments };
    tokens.push(token);
    comments = NO_COMMENTS;
    lastTokenLine = span.end.line;
    if (caveatBody.opensBody(token)) {
      const bodyStart = scanner.position();
      scanCelBody(scanner);
      push("cel", bodyStart);
    }
  };

  while (!scanner.atEnd()) {
    const c = scanner.peek();
    const start = scanner.position();
    if (c === "\n") {
      scanner.advance();
      push("newline", start);
    } else if (c === " " || c === "\t" || c === "\r") {
      scanner.advance();
    } else if (scanner.startsWith("//") || scanner.startsWith("/*")) {
      const comment = scanComment(scanner, diagnostics);
      const trailing = start.line === lastTokenLine && tokens.at(-1)?.kind !== "newline";
      comments = [
        ...comments,
        { text: comment, span: { start, end: scanner.position() }, trailing },
      ];
    } else if (isIdentifierStart(c)) {
      IDENTIFIER.lastIndex = scanner.offset;
      IDENTIFIER.test(text);
      scanner.advanceWithinLine(IDENTIFIER.lastIndex - scanner.offset);
      push("identifier", start);
    } else {
      const punctuation = PUNCTUATION.find((p) => scanner.startsWith(p));
      scanner.advance(punctuation?.length ?? 1);
      if (punctuation) {
        push(punctuation, start);
      } else {
        diagnostics.push({
          code: "syntax",
          message: `unexpected character '${c}'; remove it`,
          span: { start, end: scanner.position() },
        });
      }
    }
  }
  push("eof", scanner.position());
  return { tokens, diagnostics };
}

/**
 * createCaveatBodyTracker follows `caveat name(...) {` at the top level, so that the CEL between
 * the braces is taken as one raw token: CEL has its own lexical rules (strings, operators).
 */
function createCaveatBodyTracker(): { opensBody(token: Token): boolean } {
  let braceDepth = 0;
  let parenDepth = 0;
  let state: "none" | "keyword" | "parameters" | "expect-body" = "none";
  return {
    opensBody(token) {
      const { kind, text } = token;
      if (kind === "newline") return false;
      if (kind === "(") parenDepth++;
      if (kind === ")") parenDepth--;
      if (state === "none" && kind === "identifier" && text === "caveat" && braceDepth === 0) {
        state = "keyword";
      } else if (state === "keyword" && kind === "(") {
        state = "parameters";
      } else if (state === "parameters" && kind === ")" && parenDepth === 0) {
        state = "expect-body";
      } else if (state === "expect-body" && kind === "{") {
        state = "none";
        braceDepth++;
        return true;
      } else if (
        state === "expect-body" ||
        (state === "keyword" && kind !== "identifier" && kind !== "/")
      ) {
        state = "none";
      }
      if (kind === "{") braceDepth++;
      if (kind === "}") braceDepth = Math.max(0, braceDepth - 1);
      return false;
    },
  };
}

/** scanCelBody advances to the `}` that closes a caveat body, skipping CEL strings and comments. */
function scanCelBody(scanner: Scanner): void {
  let depth = 1;
  while (!scanner.atEnd()) {
    const c = scanner.peek();
    if (c === "'" || c === '"') {
      scanCelString(scanner);
    } else if (scanner.startsWith("//")) {
      while (!scanner.atEnd() && scanner.peek() !== "\n") scanner.advance();
    } else {
      if (c === "{") depth++;
      if (c === "}" && --depth === 0) return;
      scanner.advance();
    }
  }
}

function scanCelString(scanner: Scanner): void {
  const before = scanner.offset > 0 ? scanner.text.charAt(scanner.offset - 1) : "";
  const raw = before === "r" || before === "R";
  const quote = scanner.peek();
  const delimiter = scanner.startsWith(quote.repeat(3)) ? quote.repeat(3) : quote;
  scanner.advance(delimiter.length);
  while (!scanner.atEnd() && !scanner.startsWith(delimiter)) {
    if (delimiter.length === 1 && scanner.peek() === "\n") return;
    scanner.advance(!raw && scanner.peek() === "\\" ? 2 : 1);
  }
  scanner.advance(delimiter.length);
}

function scanComment(scanner: Scanner, diagnostics: Diagnostic[]): string {
  const start = scanner.position();
  if (scanner.startsWith("//")) {
    while (!scanner.atEnd() && scanner.peek() !== "\n") scanner.advance();
    return scanner.text.slice(start.offset, scanner.offset).trimEnd();
  }
  scanner.advance(2);
  while (!scanner.atEnd() && !scanner.startsWith("*/")) scanner.advance();
  if (scanner.atEnd()) {
    diagnostics.push({
      code: "syntax",
      message: "unterminated comment: add '*/' to close it",
      span: { start, end: scanner.position() },
    });
  } else {
    scanner.advance(2);
  }
  return scanner.text.slice(start.offset, scanner.offset);
}

function isIdentifierStart(c: string): boolean {
  return (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c === "_";
}
