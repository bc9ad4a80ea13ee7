// Output as the README shows it: `...` stands for what varies (tokens, times, elided lines).

const ELLIPSIS = "...";

/**
 * outputMatches tells whether actual lines are what expected shows. In an expected line, `...`
 * matches any text (`lt1_...` any token); a line that is only `...` matches any number of lines.
 */
export function outputMatches(actual: readonly string[], expected: readonly string[]): boolean {
  const [first, ...rest] = expected;
  if (first === undefined) return actual.length === 0;
  if (first.trim() === ELLIPSIS) {
    return (
      actual.some((_, skip) => outputMatches(actual.slice(skip), rest)) || outputMatches([], rest)
    );
  }
  const [line, ...others] = actual;
  return line !== undefined && linePattern(first).test(line) && outputMatches(others, rest);
}

function linePattern(expected: string): RegExp {
  const parts = expected.split(ELLIPSIS).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${parts.join(".*")}$`);
}
