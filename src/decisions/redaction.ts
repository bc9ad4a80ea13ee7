// Redaction: configured caveat-context keys are kept as a keyed hash of their value, and named as masked.

import { createHmac } from "node:crypto";
import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import { canonicalJson } from "../tuple/canonical-json.js";
import type { Decision, DecisionRecord } from "./decision-record.js";

/** MASK_PREFIX starts every masked value: `hmac-sha256:` and 64 hex digits. */
export const MASK_PREFIX = "hmac-sha256:";

/**
 * Redactor turns a decision into its record: the value of each configured key, wherever it is a
 * key of a caveat context (the request's, and those of the relationships in the proof), replaced
 * by the HMAC-SHA-256 of its canonical JSON under the server's secret. Equal values hash equally
 * under one secret, so records can still be matched on them ("the same phone number"), while the
 * value cannot be read back, nor guessed from a list of candidates without the secret.
 */
export type Redactor = (decision: Decision) => DecisionRecord;

const NONE_MASKED = { masked: [] as readonly string[] };

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
  // Object.assign, not a spread: spreading a record into a literal is many times slower, per record.
  const unmasked = (decision: Decision): DecisionRecord => Object.assign({}, decision, NONE_MASKED);
  return (decision) => {
    if (masked.size === 0) return unmasked(decision);
    const paths: string[] = [];
    const context =
      decision.context === undefined ? undefined : redact(decision.context, "context", paths);
    const grantedBy = decision.proof?.grantedBy?.map((rel, i) =>
      rel.caveatContext === undefined
        ? rel
        : {
            ...rel,
            caveatContext: redact(rel.caveatContext, `proof.grantedBy[${i}].caveatContext`, paths),
          },
    );
    if (paths.length === 0) return unmasked(decision);
    return {
      ...decision,
      ...(context === undefined ? {} : { context }),
      ...(grantedBy === undefined ? {} : { proof: { ...decision.proof, grantedBy } }),
      masked: paths,
    };
  };
}
