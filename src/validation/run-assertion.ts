// Runs one assertion as a check and, when the answer is not the one asserted, explains the answer.

import type { CheckEngine, CheckResult } from "../engine/check-engine.js";
import { EngineError } from "../engine/engine-error.js";
import type { OutcomeKind } from "../engine/outcome.js";
import { renderExplanation } from "../engine/render-explanation.js";
import type { SnapshotReader } from "../store/store.js";
import { parseAssertion } from "./parse-assertion.js";
import type { AssertionKind, AssertionSource } from "./validation-document.js";
import { type Problem, problemAt } from "./validation-problem.js";

const EXPECTED: Readonly<Record<AssertionKind, OutcomeKind>> = {
  assertTrue: "allowed",
  assertFalse: "denied",
  assertCaveated: "conditional",
};

/**
 * runAssertion checks an assertion with explanations on. It returns a problem at the assertion
 * when the text is not an assertion, the check fails (an unknown type, the depth limit, a caveat
 * error), or the answer differs from the one asserted; then the problem names both answers and
 * carries the rendered explanation of the answer given.
 */
export async function runAssertion(
  engine: CheckEngine,
  reader: SnapshotReader,
  { kind, block }: AssertionSource,
): Promise<Problem | undefined> {
  const text = block.text.trim();
  const parsed = parseAssertion(block.text);
  if (!parsed.ok) {
    return problemAt(block.place(1, parsed.offset + 1), `${kind} ${text}: ${parsed.message}`);
  }
  const { check } = parsed;
  let result: CheckResult;
  try {
    result = await engine.check(reader, { ...check, explain: true });
  } catch (error) {
    if (error instanceof EngineError)
      return problemAt(block.start, `${kind} ${text}: ${error.message}`);
    throw error;
  }
  const expected = EXPECTED[kind];
  if (result.result === expected) return undefined;
  const details = result.explanation
    ? renderExplanation(result.explanation, check.subject)
    : [
        `the schema has no path from ${check.subject.type} to ${check.resource.type}#${check.permission}`,
      ];
  return problemAt(
    block.start,
    `${kind} ${text}: expected ${expected}, got ${describe(result)}`,
    details,
  );
}

function describe(result: CheckResult): string {
  if (result.result !== "conditional") return result.result;
  return `conditional (missing ${result.missing.join(", ")})`;
}
