// The parts of a validation file in SpiceDB's format, each with where it sits in the YAML.

import type { Place } from "./validation-problem.js";

/** TextBlock is a YAML string (the schema, the relationships, one assertion), mapped back to the file. */
export interface TextBlock {
  readonly text: string;
  /** Where the string's YAML node starts. */
  readonly start: Place;
  /** place maps a 1-based line and column of `text` to the YAML file. */
  place(line: number, column: number): Place;
}

/** AssertionKind names the three assertion lists and what each expects of a check. */
export type AssertionKind = "assertTrue" | "assertFalse" | "assertCaveated";

/** AssertionSource is one assertion: `resource#permission@subject`, optionally ` with {context}`. */
export interface AssertionSource {
  readonly kind: AssertionKind;
  readonly block: TextBlock;
}

/** ExpectedSubjectSource is one string of an expected-relations list, such as `[user:alice] is <doc:x#viewer>`. */
export interface ExpectedSubjectSource {
  readonly text: string;
  readonly place: Place;
}

/** ExpectationSource is one entry of the `validation` map: an object and relation and its expected subjects. */
export interface ExpectationSource {
  /** `type:id#relation`, as written. */
  readonly key: string;
  readonly place: Place;
  readonly subjects: readonly ExpectedSubjectSource[];
}

/** ValidationDocument is a validation file's content: the blocks it has, in file order within each. */
export interface ValidationDocument {
  readonly schema?: TextBlock;
  readonly relationships?: TextBlock;
  readonly assertions: readonly AssertionSource[];
  readonly expectations: readonly ExpectationSource[];
}
