// A check's answer as a word with a colour (the word carries the meaning; the colour helps).

import { CheckResult } from "../../../src/gen/latch/v1/permission_service_pb.js";

const WORDS: Readonly<Record<CheckResult, string>> = {
  [CheckResult.UNSPECIFIED]: "lookup",
  [CheckResult.ALLOWED]: "allowed",
  [CheckResult.DENIED]: "denied",
  [CheckResult.CONDITIONAL]: "conditional",
};

/** ResultBadge shows result: allowed, denied, conditional, or `lookup` for a lookup's record. */
export function ResultBadge({ result }: { readonly result: CheckResult }) {
  const word = WORDS[result];
  return <span class={`badge badge-${word}`}>{word}</span>;
}
