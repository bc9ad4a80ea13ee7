// The hashes that chain the decision log: one per record, one per batch over its records and the batch before.

import { createHash, hash } from "node:crypto";
import { decisionIdBytes } from "./decision-id.js";

/** HASH_BYTES is the length of every hash in the chain (SHA-256). */
export const HASH_BYTES = 32;

/** recordHash is the SHA-256 of a record's text as stored, or of a stored proof's JSON (as text or UTF-8 bytes). */
export function recordHash(text: string | Uint8Array): Buffer {
  return hash("sha256", text, "buffer");
}

/**
 * batchHash is SHA-256(previous || id₁ || hash₁ || … || idₙ || hashₙ): the previous batch's hash,
 * then for each record in order its id's 16 bytes and the hash of its text. `hashes` holds the
 * record hashes back to back, as the batch row stores them.
 */
export function batchHash(previous: Buffer, ids: readonly string[], hashes: Buffer): Buffer {
  const digest = createHash("sha256").update(previous);
  ids.forEach((id, i) => {
    digest.update(decisionIdBytes(id));
    digest.update(hashes.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES));
  });
  return digest.digest();
}
