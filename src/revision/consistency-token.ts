// Consistency tokens: opaque, checksummed strings naming a store and a revision in it.

import { createHash, randomBytes } from "node:crypto";
import { type Revision, revision } from "./revision.js";
import { TokenError } from "./token-error.js";

/** TOKEN_PREFIX starts every version-1 token, so tokens are recognisable in logs. */
export const TOKEN_PREFIX = "lt1_";

/** MAX_TOKEN_LENGTH is the longest string decodeToken will look at; longer input is refused. */
export const MAX_TOKEN_LENGTH = 256;

/** MAX_STORE_ID_LENGTH bounds a store id so that every token fits in MAX_TOKEN_LENGTH. */
export const MAX_STORE_ID_LENGTH = 64;

const VERSION = 1;
const CHECKSUM_BYTES = 8;
const REVISION_BYTES = 8;
/** Payload layout: version (1) | storeId length (1) | storeId (ASCII) | revision (u64 BE). */
const FIXED_BYTES = 1 + 1 + REVISION_BYTES;
const STORE_ID_PATTERN = /^[A-Za-z0-9_-]+$/;
const BASE64URL_PATTERN = /^[A-Za-z0-9_-]*$/;
const CHECKSUM_DOMAIN = Buffer.from("latch-consistency-token-v1\0", "ascii");

/** TokenContents is what a token carries: the issuing store and a revision in it. */
export interface TokenContents {
  storeId: string;
  revision: Revision;
}

/** generateStoreId returns a fresh random store id (22 base64url characters, 128 bits). */
export function generateStoreId(): string {
  return randomBytes(16).toString("base64url");
}

/** isValidStoreId reports whether a string can be a store id: 1-64 of [A-Za-z0-9_-]. */
export function isValidStoreId(storeId: string): boolean {
  return storeId.length <= MAX_STORE_ID_LENGTH && STORE_ID_PATTERN.test(storeId);
}

/** encodeToken returns the opaque token for a revision of a store. */
export function encodeToken({ storeId, revision: rev }: TokenContents): string {
  if (!isValidStoreId(storeId)) {
    throw new RangeError(`invalid store id: expected 1-${MAX_STORE_ID_LENGTH} of [A-Za-z0-9_-]`);
  }
  revision(rev); // re-validate: a branded number can still come from a cast
  const payload = Buffer.alloc(FIXED_BYTES + storeId.length);
  payload.writeUInt8(VERSION, 0);
  payload.writeUInt8(storeId.length, 1);
  payload.write(storeId, 2, "ascii");
  payload.writeBigUInt64BE(BigInt(rev), 2 + storeId.length);
  return TOKEN_PREFIX + Buffer.concat([payload, checksum(payload)]).toString("base64url");
}

/**
 * decodeToken returns the revision a token names, after checking its shape, its checksum and that
 * it was issued by expectedStoreId; otherwise it throws a TokenError. A changed, added or removed
 * character is always refused, never read as another revision.
 */
export function decodeToken(token: string, expectedStoreId: string): Revision {
  const { storeId, revision: rev } = readToken(token);
  if (storeId !== expectedStoreId) {
    throw new TokenError("foreign-store", "consistency token was issued by a different store");
  }
  return rev;
}

/** readToken checks a token's shape and checksum and returns its contents, for any store. */
export function readToken(token: string): TokenContents {
  if (typeof token !== "string") throw malformed("not a string");
  if (token.length > MAX_TOKEN_LENGTH) {
    throw malformed(`longer than ${MAX_TOKEN_LENGTH} characters`);
  }
  if (!token.startsWith(TOKEN_PREFIX)) throw malformed(`missing the "${TOKEN_PREFIX}" prefix`);
  const body = token.slice(TOKEN_PREFIX.length);
  if (!BASE64URL_PATTERN.test(body)) throw malformed("characters outside base64url");
  const bytes = Buffer.from(body, "base64url");
  // Node ignores stray trailing bits; insist on the one canonical spelling of these bytes.
  if (bytes.toString("base64url") !== body) throw corrupted();
  if (bytes.length < FIXED_BYTES + 1 + CHECKSUM_BYTES) throw corrupted();
  const payload = bytes.subarray(0, bytes.length - CHECKSUM_BYTES);
  if (!checksum(payload).equals(bytes.subarray(bytes.length - CHECKSUM_BYTES))) throw corrupted();
  return parsePayload(payload);
}

function parsePayload(payload: Buffer): TokenContents {
  const version = payload.readUInt8(0);
  if (version !== VERSION) throw malformed(`unsupported token version ${version}`);
  const idLength = payload.readUInt8(1);
  if (payload.length !== FIXED_BYTES + idLength) throw malformed("inconsistent payload length");
  const storeId = payload.toString("ascii", 2, 2 + idLength);
  if (!isValidStoreId(storeId)) throw malformed("invalid store id");
  const raw = payload.readBigUInt64BE(2 + idLength);
  if (raw > BigInt(Number.MAX_SAFE_INTEGER)) throw malformed("revision out of range");
  return { storeId, revision: revision(Number(raw)) };
}

function checksum(payload: Buffer): Buffer {
  const hash = createHash("sha256").update(CHECKSUM_DOMAIN).update(payload).digest();
  return hash.subarray(0, CHECKSUM_BYTES);
}

function malformed(reason: string): TokenError {
  return new TokenError("malformed", `malformed consistency token: ${reason}`);
}

function corrupted(): TokenError {
  return new TokenError("corrupted", "corrupted consistency token: checksum does not match");
}
