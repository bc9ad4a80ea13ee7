// Parser for the schema language: SpiceDB's grammar, source positions kept, every syntax error reported.

import type {
  AllowedSubjectAst,
  ArrowAst,
  ArrowFunction,
  CaveatAst,
  CaveatParameterAst,
  CaveatTypeAst,
  ExpressionAst,
  Name,
  PermissionAst,
  RelationAst,
  UseAst,
  WrittenDefinitionAst,
  WrittenMemberAst,
  WrittenSchemaAst,
  WrittenTopLevelAst,
} from "./ast.js";
import { normalizeCaveatExpression } from "./caveat-expression-text.js";
import { type Diagnostic, DiagnosticList } from "./diagnostic.js";
import { type Comment, Lexer, type Token, type TokenKind } from "./lexer.js";
import {
  EXPRESSION_DEPTH_MESSAGE,
  MAX_DIAGNOSTICS,
  MAX_EXPRESSION_DEPTH,
  schemaSizeDiagnostic,
} from "./schema-limits.js";
import type { Span } from "./source-span.js";

/** ParseResult is the syntax tree of a schema and every syntax error found in it. */
export interface ParseResult {
  readonly ast: WrittenSchemaAst;
  readonly diagnostics: readonly Diagnostic[];
  /** True when parsing stopped at {@link MAX_DIAGNOSTICS} errors: there may be more. */
  readonly truncated: boolean;
}

const EMPTY_SCHEMA: WrittenSchemaAst = { items: [], trailingComments: [] };

/**
 * parseSchema parses schema source text; it recovers from errors to report all of them, up to
 * {@link MAX_DIAGNOSTICS}. Text over the size limit is refused whole, before any work.
 */
export function parseSchema(text: string): ParseResult {
  const tooLarge = schemaSizeDiagnostic(text);
  if (tooLarge) return { ast: EMPTY_SCHEMA, diagnostics: [tooLarge], truncated: false };
  const diagnostics = new DiagnosticList(MAX_DIAGNOSTICS);
  const parser = new Parser(new Lexer(text, diagnostics), diagnostics);
  const ast = parser.parseFile();
  return { ast, diagnostics: diagnostics.items, truncated: diagnostics.overflowed };
}

/** addOperand appends an operand of a union or intersection, flattening one of the same kind. */
function addOperand(
  operands: ExpressionAst[],
  operand: ExpressionAst,
  kind: "union" | "intersection",
): void {
  if (operand.kind === kind) for (const inner of operand.operands) operands.push(inner);
  else operands.push(operand);
}

/**
 * normalizeComment re-indents the continuation lines of a block comment (` * text` style), so
 * that a comment keeps one form wherever the formatter moves it.
 */
function normalizeComment(text: string): string {
  const [first, ...rest] = text.split("\n");
  const continuation = rest.map((line) => {
    const trimmed = line.trim();
    return trimmed.startsWith("*") ? ` ${trimmed}` : trimmed;
  });
  return [first!.trimEnd(), ...continuation].join("\n");
}

/** Recover unwinds the parser to the nearest statement, where it recovers. */
class Recover extends Error {}

/** Stop unwinds the parser out of the file: there are too many errors to go on. */
class Stop extends Error {}

/** Parsed is an expression and how deep its operators nest (0 for a leaf). */
interface Parsed {
  readonly expression: ExpressionAst;
  readonly depth: number;
}

type BinaryKind = "union" | "intersection" | "exclusion";

/**
 * CONTINUES_LINE are the tokens that cannot end a statement, so that a line break after one
 * continues the statement (`relation viewer:` on one line and `user` on the next): SpiceDB's lexer
 * ends a statement at a line break only after a name, `}`, `)`, `*` or `...`.
 */
const CONTINUES_LINE: ReadonlySet<TokenKind> = new Set<TokenKind>([
  ":",
  "->",
  "(",
  "<",
  ",",
  "|",
  "+",
  "-",
  "&",
  "=",
  "#",
  ".",
  "/",
]);

/** Binary operators from the loosest to the tightest binding, as in SpiceDB: `-`, then `&`, then `+`. */
const PRECEDENCE: readonly { token: TokenKind; kind: BinaryKind }[] = [
  { token: "-", kind: "exclusion" },
  { token: "&", kind: "intersection" },
  { token: "+", kind: "union" },
];

class Parser {
  /** The token the parser stands at, and the one it consumed before it. */
  private current: Token;
  private last: Token;
  private pendingComments: Comment[] = [];
  /** Whether the comments before the current token are in pendingComments already. */
  private commentsCollected = false;
  private parenDepth = 0;
  /** Whether `use self` was read: `self` is then the object itself, and no name. */
  private useSelf = false;

  constructor(
    private readonly lexer: Lexer,
    private readonly diagnostics: DiagnosticList,
  ) {
    this.current = lexer.next();
    this.last = this.current;
  }

  parseFile(): WrittenSchemaAst {
    const items: WrittenTopLevelAst[] = [];
    for (;;) {
      this.skipTerminators();
      const token = this.peek();
      if (token.kind === "eof") break;
      const comments = this.takeLeadingComments();
      try {
        items.push(this.finishStatement(this.parseTopLevel(comments)));
      } catch (error) {
        if (error instanceof Stop) break;
        if (!(error instanceof Recover)) throw error;
        this.recoverAtTopLevel();
      }
    }
    return { items, trailingComments: this.takeLeadingComments() };
  }

  private parseTopLevel(comments: string[]): WrittenTopLevelAst {
    const token = this.peek();
    if (token.kind === "identifier") {
      if (token.text === "definition" || token.text === "partial") {
        return this.parseDefinition(token.text, comments);
      }
      if (token.text === "caveat") return this.parseCaveat(comments);
      if (token.text === "use") return this.parseUse(comments);
    }
    throw this.error(token, "expected 'definition', 'caveat', 'partial' or 'use' at the top level");
  }

  private parseUse(comments: string[]): UseAst {
    const start = this.next().span;
    const feature = this.expectIdentifier("a feature name after 'use', like 'use expiration'");
    if (feature.value === "self") this.useSelf = true;
    return { kind: "use", feature, comments, span: this.spanFrom(start) };
  }

  /** parseDefinition reads a definition, or a partial (its members the same). */
  private parseDefinition(
    kind: WrittenDefinitionAst["kind"],
    comments: string[],
  ): WrittenDefinitionAst {
    const start = this.next().span;
    const name = this.expectTypePath(`a ${kind} name after '${kind}'`);
    this.expect("{", `'{' after '${kind} ${name.value}'`);
    const members: WrittenMemberAst[] = [];
    for (;;) {
      this.skipTerminators();
      const token = this.peek();
      if (token.kind === "}") break;
      if (token.kind === "eof") {
        throw this.error(token, `expected '}' to close '${kind} ${name.value}'`);
      }
      const memberComments = this.takeLeadingComments();
      try {
        members.push(this.finishStatement(this.parseMember(memberComments)));
      } catch (error) {
        if (!(error instanceof Recover)) throw error;
        this.skipToEndOfStatement();
      }
    }
    const innerTrailingComments = this.takeLeadingComments();
    this.next();
    return {
      kind,
      name,
      members,
      innerTrailingComments,
      comments,
      span: this.spanFrom(start),
    };
  }

  private parseMember(comments: string[]): WrittenMemberAst {
    const token = this.peek();
    if (token.kind === "identifier" && token.text === "relation")
      return this.parseRelation(comments);
    if (token.kind === "identifier" && token.text === "permission")
      return this.parsePermission(comments);
    if (token.kind === "...") {
      const start = this.next().span;
      const name = this.expectName("a partial's name after '...'");
      this.expectEndOfStatement();
      return { kind: "spread", name, comments, span: this.spanFrom(start) };
    }
    throw this.error(
      token,
      "expected 'relation', 'permission' or '...partial' inside a definition",
    );
  }

  private parseRelation(comments: string[]): RelationAst {
    const start = this.next().span;
    const name = this.expectName("a relation name after 'relation'");
    this.expect(":", `':' after 'relation ${name.value}', then its allowed subject types`);
    const subjects = [this.parseAllowedSubject()];
    while (this.accept("|")) {
      subjects.push(this.parseAllowedSubject());
    }
    this.expectEndOfStatement();
    return { kind: "relation", name, subjects, comments, span: this.spanFrom(start) };
  }

  private parseAllowedSubject(): AllowedSubjectAst {
    const type = this.expectTypePath("a subject type, like 'user', 'user:*' or 'group#member'");
    let relation: Name | undefined;
    let wildcard = false;
    if (this.accept(":")) {
      this.expect("*", "'*' after ':' for a wildcard, as in 'user:*'");
      wildcard = true;
    } else if (this.accept("#")) {
      if (this.peek().kind === "...") {
        this.next();
      } else {
        relation = this.expectName("a relation name after '#', as in 'group#member'");
      }
    }
    let caveat: Name | undefined;
    let expiration: Name | undefined;
    if (this.acceptKeyword("with")) {
      const first = this.expectTypePath("a caveat name or 'expiration' after 'with'");
      if (this.acceptKeyword("and")) {
        const second = this.expectName("'expiration' after 'and'");
        if (second.value !== "expiration") {
          throw this.errorAt(
            second.span,
            `expected 'expiration' after 'with ${first.value} and', found '${second.value}'; a relation takes at most one caveat`,
          );
        }
        if (first.value === "expiration") {
          throw this.errorAt(
            first.span,
            "write the caveat before expiration, as in 'with somecaveat and expiration'",
          );
        }
        caveat = first;
        expiration = second;
      } else if (first.value === "expiration") {
        expiration = first;
      } else {
        caveat = first;
      }
    }
    return { type, relation, wildcard, caveat, expiration, span: this.spanFrom(type.span) };
  }

  private parsePermission(comments: string[]): PermissionAst {
    const start = this.next().span;
    const name = this.expectName("a permission name after 'permission'");
    this.expect("=", `'=' after 'permission ${name.value}', then its expression`);
    // A statement abandoned inside parentheses leaves the count behind; start afresh.
    this.parenDepth = 0;
    const { expression } = this.parseExpression(0);
    this.expectEndOfStatement();
    return { kind: "permission", name, expression, comments, span: this.spanFrom(start) };
  }

  /**
   * parseExpression reads the operators of PRECEDENCE[level] and tighter. A run of one operator
   * is collected before its node is built, so that a long union costs time linear in its length.
   */
  private parseExpression(level: number): Parsed {
    const operator = PRECEDENCE[level];
    if (!operator) return this.parsePrimary();
    const { kind } = operator;
    let left = this.parseExpression(level + 1);
    const operands: ExpressionAst[] = [];
    let depth = left.depth;
    for (;;) {
      if (this.parenDepth > 0) this.skipNewlines();
      const token = this.peek();
      if (!this.accept(operator.token)) break;
      const right = this.parseExpression(level + 1);
      if (kind === "exclusion") {
        depth = Math.max(left.depth, right.depth) + 1;
        this.checkDepth(depth, token);
        const span = { start: left.expression.span.start, end: right.expression.span.end };
        const expression = {
          kind: "exclusion",
          base: left.expression,
          subtracted: right.expression,
          span,
        } as const;
        left = { expression, depth };
        continue;
      }
      if (operands.length === 0) addOperand(operands, left.expression, kind);
      addOperand(operands, right.expression, kind);
      depth = Math.max(depth, right.depth);
      this.checkDepth(depth + 1, token);
    }
    if (operands.length === 0 || kind === "exclusion") return left;
    const span = { start: left.expression.span.start, end: operands.at(-1)!.span.end };
    return { expression: { kind, operands, span }, depth: depth + 1 };
  }

  private checkDepth(depth: number, at: Token): void {
    if (depth > MAX_EXPRESSION_DEPTH)
      throw this.errorAt(at.span, EXPRESSION_DEPTH_MESSAGE, "limit");
  }

  private parsePrimary(): Parsed {
    const token = this.peek();
    if (token.kind === "(") {
      this.next();
      this.parenDepth++;
      this.checkDepth(this.parenDepth, token);
      const inner = this.parseExpression(0);
      this.skipNewlines();
      this.parenDepth--;
      this.expect(")", "')' to close the parenthesis");
      return inner;
    }
    if (token.kind === "identifier" && token.text === "nil") {
      this.next();
      return { expression: { kind: "nil", span: token.span }, depth: 0 };
    }
    if (token.kind === "identifier" && token.text === "self" && this.useSelf) {
      this.next();
      const after = this.peek();
      if (after.kind === "->" || after.kind === ".") {
        throw this.error(
          after,
          "'self' is the object itself, not a relation: no arrow walks from it; walk a relation, as in 'parent->view'",
        );
      }
      return { expression: { kind: "self", span: token.span }, depth: 0 };
    }
    if (token.kind !== "identifier") {
      throw this.error(
        token,
        "expected a relation, a permission, an arrow, 'nil' or '(' in the expression",
      );
    }
    const name = this.expectName("a relation or permission name");
    const arrow = this.parseArrowTail(name);
    if (!arrow) return { expression: { kind: "reference", name, span: name.span }, depth: 0 };
    if (this.peek().kind === "->" || this.peek().kind === ".") {
      throw this.error(
        this.peek(),
        `nested arrows are not supported; add a permission on the target type for '${arrow.target.value}' and point the arrow at it`,
        "nested-arrow",
      );
    }
    return { expression: arrow, depth: 0 };
  }

  private parseArrowTail(relation: Name): ArrowAst | undefined {
    let fn: ArrowFunction;
    let target: Name;
    if (this.accept("->")) {
      fn = "arrow";
      target = this.expectName(`a permission or relation name after '${relation.value}->'`);
    } else if (this.accept(".")) {
      const fnName = this.expectName("'any' or 'all' after '.'");
      if (fnName.value !== "any" && fnName.value !== "all") {
        throw this.errorAt(
          fnName.span,
          `unknown arrow function '${fnName.value}'; use '.any(...)' or '.all(...)'`,
        );
      }
      fn = fnName.value;
      this.expect("(", `'(' after '.${fn}'`);
      target = this.expectName(`a permission or relation name in '.${fn}(...)'`);
      this.expect(")", `')' to close '.${fn}('`);
    } else {
      return undefined;
    }
    return { kind: "arrow", function: fn, relation, target, span: this.spanFrom(relation.span) };
  }

  private parseCaveat(comments: string[]): CaveatAst {
    const start = this.next().span;
    const name = this.expectTypePath("a caveat name after 'caveat'");
    this.expect("(", `'(' after 'caveat ${name.value}', then its parameters`);
    const parameters: CaveatParameterAst[] = [];
    if (this.peek().kind === ")") {
      throw this.error(
        this.peek(),
        `caveat '${name.value}' needs at least one parameter, as in '(now timestamp)'`,
      );
    }
    do {
      const paramName = this.expectName("a parameter name");
      const type = this.parseCaveatType();
      parameters.push({ name: paramName, type, span: this.spanFrom(paramName.span) });
      this.skipNewlines();
    } while (this.accept(","));
    this.expect(")", "',' or ')' after a caveat parameter");
    this.expect("{", `'{' to start the expression of caveat '${name.value}'`);
    const body = this.peek();
    if (body.kind !== "cel")
      throw this.error(body, `expected the CEL expression of caveat '${name.value}'`);
    this.next();
    if (body.text.trim() === "") {
      throw this.errorAt(
        body.span,
        `caveat '${name.value}' has an empty expression; write a CEL expression that returns bool`,
      );
    }
    this.expect("}", `'}' to close caveat '${name.value}'`);
    return {
      kind: "caveat",
      name,
      parameters,
      expression: normalizeCaveatExpression(body.text),
      expressionSource: { text: body.text, span: body.span },
      comments,
      span: this.spanFrom(start),
    };
  }

  private parseCaveatType(): CaveatTypeAst {
    const name = this.expectName("a parameter type, like 'int', 'string' or 'list<string>'");
    const args: CaveatTypeAst[] = [];
    if (this.accept("<")) {
      do args.push(this.parseCaveatType());
      while (this.accept(","));
      this.expect(">", `'>' to close the type arguments of '${name.value}'`);
    }
    return { name, arguments: args, span: this.spanFrom(name.span) };
  }

  // Names -------------------------------------------------------------------------------------

  /** expectName reads a name; under `use self`, `self` is a keyword and names nothing, as in SpiceDB. */
  private expectName(what: string): Name {
    const token = this.peek();
    if (token.kind === "identifier" && token.text === "self" && this.useSelf) {
      throw this.errorAt(
        token.span,
        `expected ${what}, found 'self': under 'use self' it is the object itself and names nothing; rename it`,
      );
    }
    return this.expectIdentifier(what);
  }

  private expectIdentifier(what: string): Name {
    const token = this.peek();
    if (token.kind !== "identifier") throw this.error(token, `expected ${what}`);
    this.next();
    return { value: token.text, span: token.span };
  }

  /**
   * expectTypePath reads a definition or caveat name: `name`, or `name` after any number of
   * prefixes (`org/name`, `org/team/name`), as SpiceDB allows.
   */
  private expectTypePath(what: string): Name {
    const first = this.expectName(what);
    let value = first.value;
    let end = first.span.end;
    while (this.accept("/")) {
      const segment = this.expectName(`a name after '${value}/'`);
      value += `/${segment.value}`;
      end = segment.span.end;
    }
    return { value, span: { start: first.span.start, end } };
  }

  // Tokens ------------------------------------------------------------------------------------

  private peek(): Token {
    return this.current;
  }

  private previous(): Token {
    return this.last;
  }

  private next(): Token {
    const token = this.current;
    this.collectComments();
    if (token.kind !== "eof") {
      this.last = token;
      this.current = this.lexer.next();
      this.commentsCollected = false;
      // A line break after a token that cannot end a statement continues it, as in SpiceDB.
      while (CONTINUES_LINE.has(token.kind) && this.current.kind === "newline") {
        this.collectComments();
        this.current = this.lexer.next();
        this.commentsCollected = false;
      }
    }
    return token;
  }

  private collectComments(): void {
    if (this.commentsCollected) return;
    for (const comment of this.current.comments) this.pendingComments.push(comment);
    this.commentsCollected = true;
  }

  private accept(kind: TokenKind): boolean {
    if (this.peek().kind !== kind) return false;
    this.next();
    return true;
  }

  private acceptKeyword(keyword: string): boolean {
    const token = this.peek();
    if (token.kind !== "identifier" || token.text !== keyword) return false;
    this.next();
    return true;
  }

  private expect(kind: TokenKind, what: string): Token {
    const token = this.peek();
    if (token.kind !== kind) throw this.error(token, `expected ${what}`);
    return this.next();
  }

  private skipNewlines(): void {
    while (this.peek().kind === "newline") this.next();
  }

  private skipTerminators(): void {
    while (this.peek().kind === "newline" || this.peek().kind === ";") this.next();
  }

  /** expectEndOfStatement requires a newline, `;`, `}` or the end of the file after a statement. */
  private expectEndOfStatement(): void {
    const token = this.peek();
    if (
      token.kind === "newline" ||
      token.kind === ";" ||
      token.kind === "}" ||
      token.kind === "eof"
    )
      return;
    throw this.error(token, "expected the end of the statement (a new line or ';')");
  }

  /** takeLeadingComments takes the comments collected so far and those before the next token. */
  private takeLeadingComments(): string[] {
    this.collectComments();
    const comments = this.pendingComments.map((c) => normalizeComment(c.text));
    this.pendingComments = [];
    return comments;
  }

  /**
   * finishStatement moves comments written inside a statement (between its tokens or lines) to
   * before it, and attaches a comment written after it on the same line.
   */
  private finishStatement<T extends { comments: readonly string[]; trailingComment?: string }>(
    node: T,
  ): T {
    const inner = this.pendingComments.map((c) => normalizeComment(c.text));
    this.pendingComments = [];
    const withInner = inner.length > 0 ? { ...node, comments: [...node.comments, ...inner] } : node;
    const terminator = this.peek();
    if (terminator.kind !== "newline" && terminator.kind !== ";") return withInner;
    const trailing = terminator.comments.filter((c) => c.trailing);
    if (trailing.length === 0) return withInner;
    this.next();
    this.pendingComments = this.pendingComments.filter((c) => !c.trailing);
    return {
      ...withInner,
      trailingComment: trailing.map((c) => normalizeComment(c.text)).join(" "),
    };
  }

  private spanFrom(start: Span): Span {
    return { start: start.start, end: this.previous().span.end };
  }

  // Errors and recovery -----------------------------------------------------------------------

  private error(token: Token, expected: string, code: Diagnostic["code"] = "syntax"): Recover {
    const found =
      token.kind === "eof"
        ? "end of file"
        : token.kind === "newline"
          ? "end of line"
          : `'${token.text}'`;
    return this.errorAt(token.span, `${expected}, found ${found}`, code);
  }

  private errorAt(span: Span, message: string, code: Diagnostic["code"] = "syntax"): Recover {
    if (!this.diagnostics.add({ code, message, span })) throw new Stop(message);
    return new Recover(message);
  }

  /** skipToEndOfStatement skips the rest of a broken member, stopping before its definition's `}`. */
  private skipToEndOfStatement(): void {
    let depth = 0;
    for (;;) {
      const kind = this.peek().kind;
      if (kind === "eof") return;
      if (depth === 0 && (kind === "newline" || kind === ";" || kind === "}")) return;
      if (kind === "(" || kind === "{") depth++;
      if ((kind === ")" || kind === "}") && depth > 0) depth--;
      this.next();
    }
  }

  /** recoverAtTopLevel skips to the next line that starts a top-level item. */
  private recoverAtTopLevel(): void {
    this.parenDepth = 0;
    while (this.peek().kind !== "eof") {
      const token = this.next();
      const next = this.peek();
      const startsItem =
        next.kind === "identifier" &&
        ["definition", "caveat", "use"].includes(next.text) &&
        next.span.start.column === 1;
      if ((token.kind === "newline" || token.kind === "}") && startsItem) return;
    }
  }
}
