// A record's JSON up to its proof: written once per question, then only its call's own fields per record.

import type { DecisionProof } from "./decision-proof.js";
import type { Decision } from "./decision-record.js";

/**
 * QuestionText is the JSON of a decision around its per-call fields (see recordHead): `between`
 * from the API key to the schema revision, `asked` from `kind` on; with the decision it was made
 * from. It is one object for all the records of its question, so that a writer can keep what it
 * derives from the question's fields (its row's columns) with it, once.
 */
export interface QuestionText {
  readonly decision: Decision;
  readonly between: string;
  readonly asked: string;
}

const questionTexts = new WeakMap<DecisionProof, QuestionText>();

/**
 * sharedQuestion is the QuestionText of a decision that shares proof (kept apart from it) with
 * the other answers to its question (see ProofCache), made with the first of them; undefined for
 * a decision whose fields are not in callDecision's order (see recordHead). A hot question's
 * records differ only in their id, time, latency and trace id: the rest of the JSON is made once
 * per question, kept with the proof. (Measured: several times cheaper than stringifying the
 * record's twenty fields each time.)
 */
export function sharedQuestion(decision: Decision, proof: DecisionProof): QuestionText | undefined {
  const known = questionTexts.get(proof);
  if (known !== undefined && sameQuestion(known.decision, decision)) return known;
  const json = JSON.stringify(decision);
  const start = callStart(decision);
  const between = betweenJson(decision);
  const end = callEnd(decision);
  const asked = json.slice(start.length + between.length + end.length, -1);
  if (!json.startsWith(`${start}${between}${end}`) || !asked.startsWith(',"kind":'))
    return undefined;
  const made = { decision, between, asked };
  questionTexts.set(proof, made);
  return made;
}

/**
 * recordHead is JSON.stringify(decision) without its closing brace: joined around the decision's
 * own fields from its question's text (see sharedQuestion) when it has one, else stringified whole.
 */
export function recordHead(decision: Decision, question: QuestionText | undefined): string {
  return question === undefined
    ? JSON.stringify(decision).slice(0, -1)
    : `${callStart(decision)}${question.between}${callEnd(decision)}${question.asked}`;
}

/*
 * The fields callDecision gives first, as JSON.stringify writes them: the id, time and trace id
 * are the log's own text (a UUID, RFC 3339, hex digits), in no need of escapes; the numbers are
 * integers. The JSON around them, in order, is exported for a writer that writes a record's
 * bytes without making its head (see write-batch.ts).
 */

/** The JSON before a record's id, between its id and time, and after its time. */
export const BEFORE_ID = `{"decisionId":"`;
export const BEFORE_TIME = `","time":"`;
export const AFTER_TIME = `"`;
/** The JSON before a record's latency, and around its trace id. */
export const BEFORE_LATENCY = `,"latencyUs":`;
export const BEFORE_TRACE_ID = `,"traceId":"`;
export const AFTER_TRACE_ID = `"`;

function callStart(d: Decision): string {
  return `${BEFORE_ID}${d.decisionId}${BEFORE_TIME}${d.time}${AFTER_TIME}`;
}

/** betweenJson is the JSON of a decision's fields from its API key to its schema revision. */
function betweenJson(d: Decision): string {
  const apiKey = d.apiKey === undefined ? "" : `,"apiKey":${JSON.stringify(d.apiKey)}`;
  return `${apiKey},"token":${JSON.stringify(d.token)},"revision":${d.revision},"schemaRevision":${d.schemaRevision}`;
}

function callEnd(d: Decision): string {
  const traceId = d.traceId === undefined ? "" : `${BEFORE_TRACE_ID}${d.traceId}${AFTER_TRACE_ID}`;
  return `${BEFORE_LATENCY}${d.latencyUs}${traceId}`;
}

/**
 * sameQuestion says whether two decisions agree in every field but the four each record has its
 * own (id, time, latency, trace id), so that their JSON is the same around those. Arrays and
 * objects must be the same ones (a plain check's actors are), or the question's JSON is made anew.
 */
function sameQuestion(a: Decision, b: Decision): boolean {
  return (
    a.subject === b.subject &&
    a.resource === b.resource &&
    a.permission === b.permission &&
    a.result === b.result &&
    a.cached === b.cached &&
    a.token === b.token &&
    a.revision === b.revision &&
    a.schemaRevision === b.schemaRevision &&
    a.apiKey === b.apiKey &&
    a.kind === b.kind &&
    a.actors === b.actors &&
    a.missingParameters === b.missingParameters &&
    a.deniedBy === b.deniedBy &&
    a.reason === b.reason &&
    a.proof === b.proof &&
    a.lookup === b.lookup &&
    a.context === b.context &&
    a.origin === b.origin
  );
}
