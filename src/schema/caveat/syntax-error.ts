// Readable messages for CEL syntax errors, from the parser's failure position and expectations.

/** SyntaxProblem is a syntax error's message and its 0-based offset in the expression. */
export interface SyntaxProblem {
  readonly message: string;
  readonly offset: number;
}

interface ParserFailure {
  readonly location: { readonly start: { readonly offset: number } };
  readonly expected?: readonly { readonly type: string; readonly value: string }[];
}

/**
 * describeSyntaxError explains an exception thrown by `parse`. The parser backtracks, so it reports
 * where the longest valid prefix ends; the mistake is at or just before that point.
 */
export function describeSyntaxError(error: unknown, expression: string): SyntaxProblem {
  if (!isParserFailure(error)) {
    return {
      message: `syntax error: ${String(error instanceof Error ? error.message : error)}`,
      offset: 0,
    };
  }
  const offset = error.location.start.offset;
  const rest = expression.slice(offset).split("\n")[0]?.trim().slice(0, 24) ?? "";
  const expected = [
    ...new Set(
      (error.expected ?? [])
        .filter((e) => e.value !== "whitespace" && e.value !== "comment")
        .map((e) => (e.type === "literal" ? `'${e.value}'` : e.value)),
    ),
  ];
  const wanted = expected.length <= 3 ? expected.join(" or ") : "an expression";
  if (rest === "") {
    return { message: `syntax error: the expression ends too early; expected ${wanted}`, offset };
  }
  if (expected.length > 0 && expected.length <= 3 && !expected.includes("end of input")) {
    return { message: `syntax error: expected ${wanted} but found '${rest}'`, offset };
  }
  return { message: `syntax error: cannot parse '${rest}'${hint(rest)}`, offset };
}

function hint(rest: string): string {
  if (/^=[^=]/.test(rest)) {
    return "; use '==' to compare";
  }
  if (/^&[^&]/.test(rest) || /^\|[^|]/.test(rest)) {
    return "; use '&&' and '||' for logical and, or";
  }
  if (rest.startsWith("'") || rest.startsWith('"')) {
    return "; is a string missing its closing quote?";
  }
  return "; look for a missing operand, an unclosed '(', '[' or quote, or a misspelled operator here";
}

function isParserFailure(error: unknown): error is ParserFailure {
  if (typeof error !== "object" || error === null || !("location" in error)) {
    return false;
  }
  const { location } = error;
  return (
    typeof location === "object" &&
    location !== null &&
    "start" in location &&
    typeof location.start === "object" &&
    location.start !== null &&
    "offset" in location.start &&
    typeof location.start.offset === "number"
  );
}
