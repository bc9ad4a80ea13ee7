// Redaction: configured caveat-context keys are kept as a keyed hash of their value, and named as masked.

import { createHmac } from "node:crypto";
import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import { canonicalJson } from "../tuple/canonical-json.js";
import type { DecisionProof } from "./decision-proof.js";
import type { Decision, DecisionRecord } from "./decision-record.js";
import { type QuestionText, recordHead, sharedQuestion } from "./record-head.js";

/** MASK_PREFIX starts every masked value: `hmac-sha256:` and 64 hex digits. */
export const MASK_PREFIX = "hmac-sha256:";

/**
 * RedactedDecision is a decision ready to be written: its context, and the caveat contexts of its
 * proof, with the configured keys masked, and the path of each value masked. A proof made as the
 * log writes (see ProofSource) travels beside the decision rather than in it, so that a proof many
 * records share is not copied into each (see recordText).
 */
export interface RedactedDecision {
  readonly decision: Decision;
  /** The proof made for a decision that came without one. */
  readonly proof: DecisionProof | undefined;
  readonly masked: readonly string[];
}

/**
 * Redactor readies a decision (and the proof made for it, if any) for its record: the value of
 * each configured key, wherever it is a key of a caveat context (the request's, and those of the
 * relationships in the proof), replaced by the HMAC-SHA-256 of its canonical JSON under the
 * server's secret. Equal values hash equally under one secret, so records can still be matched on
 * them ("the same phone number"), while the value cannot be read back, nor guessed from a list of
 * candidates without the secret. What it is given is left as it was.
 */
export type Redactor = (decision: Decision, proof?: DecisionProof) => RedactedDecision;

const NONE_MASKED: readonly string[] = [];

/** MaskedProof is a proof with the configured keys masked, and the paths of the values masked. */
interface MaskedProof {
  readonly proof: DecisionProof;
  readonly paths: readonly string[];
}

/** createRedactor makes the redactor of keys under secret; with no keys, records keep contexts as they are. */
export function createRedactor(keys: readonly string[], secret: Buffer): Redactor {
  const masked = new Set(keys);
  const mask = (value: JsonValue) =>
    `${MASK_PREFIX}${createHmac("sha256", secret).update(canonicalJson(value)).digest("hex")}`;
  const redact = (context: JsonObject, path: string, paths: string[]): JsonObject => {
    let copy: Record<string, JsonValue> | undefined;
    for (const key of Object.keys(context)) {
      if (!masked.has(key)) continue;
      copy ??= { ...context };
      copy[key] = mask(context[key]!);
      paths.push(`${path}.${key}`);
    }
    return copy ?? context;
  };
  // A proof is shared by many decisions: masked once, it stays one object for all of them (so
  // that the log stores it once), and one with nothing to mask stays the proof it was.
  const maskedProofs = new WeakMap<DecisionProof, MaskedProof>();
  const redactProof = (given: DecisionProof): MaskedProof => {
    let masking = maskedProofs.get(given);
    if (masking === undefined) {
      const paths: string[] = [];
      const grantedBy = given.grantedBy?.map((rel, i) =>
        rel.caveatContext === undefined
          ? rel
          : {
              ...rel,
              caveatContext: redact(
                rel.caveatContext,
                `proof.grantedBy[${i}].caveatContext`,
                paths,
              ),
            },
      );
      masking = { proof: paths.length === 0 ? given : { ...given, grantedBy }, paths };
      maskedProofs.set(given, masking);
    }
    return masking;
  };
  return (decision, proof) => {
    if (masked.size === 0) return { decision, proof, masked: NONE_MASKED };
    const paths: string[] = [];
    const context =
      decision.context === undefined ? undefined : redact(decision.context, "context", paths);
    const given = proof ?? decision.proof;
    const masking = given === undefined ? undefined : redactProof(given);
    if (masking !== undefined) paths.push(...masking.paths);
    if (paths.length === 0) return { decision, proof, masked: NONE_MASKED };
    return proof === undefined
      ? { decision: { ...decision, context, proof: masking?.proof }, proof, masked: paths }
      : { decision: { ...decision, context }, proof: masking?.proof, masked: paths };
  };
}

/**
 * ProofText is the JSON of a proof shared by the records it proves: made once per proof, and one
 * object for all its records, so that a writer can keep what it derives from it (its hash) once too.
 */
export interface ProofText {
  readonly json: string;
}

const proofTexts = new WeakMap<DecisionProof, ProofText>();

/**
 * RecordText is a redacted decision's record in three parts: the decision's JSON without its
 * closing brace (see recordHead; left to the writer, who may write it without making it), the
 * proof made for it (shared by every record it proves; the log stores it once and the record's
 * text a reference to it, see stored-proof.ts), and `masked` with the closing brace. (JSON.stringify's
 * order, not sorted: several times faster, and the hash covers the text as stored, never a
 * re-serialization.)
 */
export interface RecordText {
  /** The redacted decision, whose JSON up to its proof is the text's head. */
  readonly decision: Decision;
  readonly proof: ProofText | undefined;
  readonly tail: string;
  /**
   * The text of its question, one object for every record of the question (see sharedQuestion):
   * what a writer derives from the question's fields can be kept with it. Undefined when the
   * record's head is made whole.
   */
  readonly question: QuestionText | undefined;
}

const NOTHING_MASKED_TAIL = `,"masked":[]}`;

/** recordParts is a redacted decision's record text, in its three parts. */
export function recordParts(redacted: RedactedDecision): RecordText {
  const { decision, proof, masked } = redacted;
  let shared: ProofText | undefined;
  if (proof !== undefined) {
    shared = proofTexts.get(proof);
    if (shared === undefined) {
      shared = { json: JSON.stringify(proof) };
      proofTexts.set(proof, shared);
    }
  }
  const question =
    proof === undefined || decision.proof !== undefined
      ? undefined
      : sharedQuestion(decision, proof);
  return {
    decision,
    proof: shared,
    tail: masked.length === 0 ? NOTHING_MASKED_TAIL : `,"masked":${JSON.stringify(masked)}}`,
    question,
  };
}

/** recordText is a redacted decision's record, whole: its parts joined, its proof inside. */
export function recordText(redacted: RedactedDecision): string {
  const { decision, question, proof, tail } = recordParts(redacted);
  const head = recordHead(decision, question);
  return `${head}${proof === undefined ? "" : `,"proof":${proof.json}`}${tail}`;
}

/** recordOf is the record a redacted decision is stored as. */
export function recordOf(redacted: RedactedDecision): DecisionRecord {
  return JSON.parse(recordText(redacted)) as DecisionRecord;
}
