// The hashes that chain the decision log: one per record, one per batch over its records and the batch before.

import { hash } from "node:crypto";
import { ID_BYTES, writeDecisionIdBytes } from "./decision-id.js";

/** HASH_BYTES is the length of every hash in the chain (SHA-256). */
export const HASH_BYTES = 32;

/** recordHash is the SHA-256 of a record's text as stored, or of a stored proof's JSON (as text or UTF-8 bytes). */
export function recordHash(text: string | Uint8Array): Buffer {
  return hash("sha256", text, "buffer");
}

/**
 * writeRecordHash writes recordHash(text) into target at offset. (The digest comes as a "binary"
 * (latin1) string, a character a byte, copied a character at a time: a string costs far less to
 * make than a digest's buffer, and the loop less than Buffer's write.)
 */
export function writeRecordHash(text: string | Uint8Array, target: Buffer, offset: number): void {
  const digest = hash("sha256", text, "binary");
  for (let i = 0; i < HASH_BYTES; i++) target[offset + i] = digest.charCodeAt(i);
}

/**
 * batchHash is SHA-256(previous || id₁ || hash₁ || … || idₙ || hashₙ): the previous batch's hash,
 * then for each record in order its id's 16 bytes and the hash of its text. `hashes` holds the
 * record hashes back to back, as the batch row stores them. The input is laid out in one buffer
 * and hashed at once: two updates a record cost several times more than the hashing.
 */
export function batchHash(previous: Buffer, ids: readonly string[], hashes: Buffer): Buffer {
  const pair = ID_BYTES + HASH_BYTES;
  const input = Buffer.allocUnsafe(previous.length + ids.length * pair);
  previous.copy(input);
  ids.forEach((id, i) => {
    const at = previous.length + i * pair;
    writeDecisionIdBytes(id, input, at);
    copyHash(hashes, i * HASH_BYTES, input, at + ID_BYTES);
  });
  return recordHash(input);
}

/**
 * copyHash copies the HASH_BYTES of a hash at fromAt in `from` to toAt in `to`, a byte at a time:
 * a Buffer's copy costs more than a hash's 32 bytes, through the checks and view it makes.
 */
export function copyHash(from: Uint8Array, fromAt: number, to: Uint8Array, toAt: number): void {
  for (let b = 0; b < HASH_BYTES; b++) to[toAt + b] = from[fromAt + b]!;
}
