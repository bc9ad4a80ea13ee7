// A record's JSON up to its proof: written once per question, then only its call's own fields per record.

import type { DecisionProof } from "./decision-proof.js";
import type { Decision } from "./decision-record.js";

/**
 * QuestionText is the JSON of a decision around its per-call fields (see recordHead): `between`
 * from the API key to the schema revision, `asked` from `kind` on; with the decision it was made from.
 */
interface QuestionText {
  readonly decision: Decision;
  readonly between: string;
  readonly asked: string;
}

const questionTexts = new WeakMap<DecisionProof, QuestionText>();

/**
 * recordHead is JSON.stringify(decision) without its closing brace, for a decision that shares
 * proof (kept apart from it) with the other answers to its question (see ProofCache). A hot
 * question's records differ only in their id, time, latency and trace id: the rest of the JSON
 * is made once per question, kept with the proof, and the record's text joined around those.
 * (Measured: several times cheaper than stringifying the record's twenty fields each time.) A
 * decision whose fields are not in callDecision's order is stringified whole, every time.
 */
export function recordHead(decision: Decision, proof: DecisionProof): string {
  const known = questionTexts.get(proof);
  if (known !== undefined && sameQuestion(known.decision, decision)) {
    return `${callStart(decision)}${known.between}${callEnd(decision)}${known.asked}`;
  }
  const json = JSON.stringify(decision);
  const start = callStart(decision);
  const between = betweenJson(decision);
  const end = callEnd(decision);
  const asked = json.slice(start.length + between.length + end.length, -1);
  if (json.startsWith(`${start}${between}${end}`) && asked.startsWith(',"kind":')) {
    questionTexts.set(proof, { decision, between, asked });
  }
  return json.slice(0, -1);
}

/*
 * The fields callDecision gives first, as JSON.stringify writes them: the id, time and trace id
 * are the log's own text (a UUID, RFC 3339, hex digits), in no need of escapes; the numbers are
 * integers.
 */

function callStart(d: Decision): string {
  return `{"decisionId":"${d.decisionId}","time":"${d.time}"`;
}

function betweenJson(d: Decision): string {
  const apiKey = d.apiKey === undefined ? "" : `,"apiKey":${JSON.stringify(d.apiKey)}`;
  return `${apiKey},"token":${JSON.stringify(d.token)},"revision":${d.revision},"schemaRevision":${d.schemaRevision}`;
}

function callEnd(d: Decision): string {
  const traceId = d.traceId === undefined ? "" : `,"traceId":"${d.traceId}"`;
  return `,"latencyUs":${d.latencyUs}${traceId}`;
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
