// The part of a sub-problem's identity that one request fixes: its subject and caveat context.

import type { CaveatContext } from "../schema/caveat/compiled-caveat.js";
import { canonicalJson } from "../tuple/canonical-json.js";
import { formatSubjectRef } from "../tuple/format-relationship.js";
import type { SubjectRef } from "../tuple/relationship.js";
import type { Evaluation } from "./dispatcher.js";

/** questionKey is the `@subject|context` part of a sub-problem's key; no context is the empty one. */
export function questionKey(subject: SubjectRef, context: CaveatContext | undefined): string {
  const json = context === undefined ? EMPTY_CONTEXT : canonicalJson(context);
  return `@${formatSubjectRef(subject)}|${json}`;
}

const EMPTY_CONTEXT = canonicalJson({});

/**
 * requestKeys returns a function giving each request's `@subject|context` key, computed once per
 * request: two sub-problems are the same only for the same subject and context.
 */
export function requestKeys(): (evaluation: Evaluation) => string {
  const keys = new WeakMap<Evaluation, string>();
  return (evaluation) => {
    let key = keys.get(evaluation);
    if (key === undefined) {
      key = questionKey(evaluation.subject, evaluation.context);
      keys.set(evaluation, key);
    }
    return key;
  };
}
