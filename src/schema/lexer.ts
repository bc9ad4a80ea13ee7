// Lexer for the schema language: tokens with positions, comments attached to the token they precede.

import { describeChar } from "../tuple/issue.js";
import { type Diagnostic, DiagnosticList } from "./diagnostic.js";
import { MAX_DIAGNOSTICS } from "./schema-limits.js";
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

/**
 * Lexer hands out the tokens of a schema source one at a time, so that none is kept after the
 * parser has moved past it. It never throws: errors become diagnostics. When they overflow their
 * list, it ends the text there (an `eof` token).
 */
export class Lexer {
  private readonly scanner: Scanner;
  /** The CEL body token, read with the `{` that opens it. */
  private pendingBody: Token | undefined;
  private comments: Comment[] | undefined;
  private lastKind: TokenKind | undefined;
  private lastTokenLine = 0;
  private readonly caveatBody = createCaveatBodyTracker();

  constructor(
    private readonly text: string,
    private readonly diagnostics: DiagnosticList,
  ) {
    this.scanner = new Scanner(text);
  }

  /** next returns the next token; at the end, `eof` again and again. */
  next(): Token {
    const body = this.pendingBody;
    if (body !== undefined) {
      this.pendingBody = undefined;
      return body;
    }
    const { scanner, text } = this;
    while (!scanner.atEnd() && !this.diagnostics.overflowed) {
      const c = scanner.peek();
      const start = scanner.position();
      if (c === "\n") {
        scanner.advance();
        return this.token("newline", start);
      }
      if (c === " " || c === "\t" || c === "\r") {
        scanner.advance();
      } else if (scanner.startsWith("//") || scanner.startsWith("/*")) {
        const comment = scanComment(scanner, this.diagnostics);
        const trailing = start.line === this.lastTokenLine && this.lastKind !== "newline";
        this.comments ??= [];
        this.comments.push({ text: comment, span: { start, end: scanner.position() }, trailing });
      } else if (isIdentifierStart(c)) {
        IDENTIFIER.lastIndex = scanner.offset;
        IDENTIFIER.test(text);
        scanner.advanceWithinLine(IDENTIFIER.lastIndex - scanner.offset);
        return this.token("identifier", start);
      } else {
        const punctuation = PUNCTUATION.find((p) => scanner.startsWith(p));
        if (punctuation) {
          scanner.advance(punctuation.length);
          return this.token(punctuation, start);
        }
        // One character, even outside the Basic Multilingual Plane (two UTF-16 units).
        scanner.advanceWithinLine(String.fromCodePoint(text.codePointAt(start.offset)!).length);
        this.diagnostics.add({
          code: "syntax",
          message: `unexpected character ${describeChar(text, start.offset)}; remove it`,
          span: { start, end: scanner.position() },
        });
      }
    }
    return this.token("eof", scanner.position());
  }

  private token(kind: TokenKind, start: Position): Token {
    const span = { start, end: this.scanner.position() };
    const tokenText = this.text.slice(start.offset, span.end.offset);
    const token = { kind, text: tokenText, span, comments: this.comments ?? NO_COMMENTS };
    this.comments = undefined;
    this.lastKind = kind;
    this.lastTokenLine = span.end.line;
    if (this.caveatBody.opensBody(token)) {
      const bodyStart = this.scanner.position();
      scanCelBody(this.scanner);
      this.pendingBody = this.token("cel", bodyStart);
    }
    return token;
  }
}

/** lex splits a whole schema source into tokens (see {@link Lexer}). */
export function lex(text: string, diagnostics = new DiagnosticList(MAX_DIAGNOSTICS)): LexResult {
  const lexer = new Lexer(text, diagnostics);
  const tokens: Token[] = [];
  for (let token = lexer.next(); ; token = lexer.next()) {
    tokens.push(token);
    if (token.kind === "eof") return { tokens, diagnostics: diagnostics.items };
  }
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

function scanComment(scanner: Scanner, diagnostics: DiagnosticList): string {
  const start = scanner.position();
  if (scanner.startsWith("//")) {
    while (!scanner.atEnd() && scanner.peek() !== "\n") scanner.advance();
    return scanner.text.slice(start.offset, scanner.offset).trimEnd();
  }
  scanner.advance(2);
  while (!scanner.atEnd() && !scanner.startsWith("*/")) scanner.advance();
  if (scanner.atEnd()) {
    diagnostics.add({
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
  // Digits too: a caveat may be named `2fa` (the type checker holds other names to their rules).
  return (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c === "_";
}
