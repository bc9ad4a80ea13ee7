// Problems found in a validation file: positioned like compiler errors, with optional detail lines.

/** Problem is one failure in a validation file, at a 1-based line and column of the YAML. */
export interface Problem {
  readonly line: number;
  readonly column: number;
  readonly message: string;
  /** Further lines, such as the rendered explanation of a failed assertion. */
  readonly details: readonly string[];
}

/** Place is a 1-based line and column in the YAML file. */
export interface Place {
  readonly line: number;
  readonly column: number;
}

/** problemAt makes a problem at a place. */
export function problemAt(place: Place, message: string, details: readonly string[] = []): Problem {
  return { line: place.line, column: place.column, message, details };
}

/**
 * formatProblem prints a problem as `FILE:LINE:COLUMN: message` (the convention of
 * `formatDiagnostic`), followed by its detail lines indented by two spaces.
 */
export function formatProblem(file: string, problem: Problem): string {
  const head = `${file}:${problem.line}:${problem.column}: ${problem.message}`;
  return [head, ...problem.details.map((line) => `  ${line}`)].join("\n");
}
