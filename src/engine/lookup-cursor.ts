// Lookup cursors: opaque, validated tokens that resume a lookup after the last id it returned.

import { MAX_ID_LENGTH } from "../tuple/identifiers.js";
import { EngineError } from "./engine-error.js";

const VERSION = "lr1";
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * encodeLookupCursor makes the cursor that resumes after `id`. `scope` names the request it was
 * issued for, so that a cursor cannot silently resume a different lookup.
 */
export function encodeLookupCursor(scope: string, id: string): string {
  return Buffer.from(JSON.stringify([VERSION, scope, id]), "utf8").toString("base64url");
}

/**
 * decodeLookupCursor returns the id a cursor resumes after; it throws an "invalid-argument"
 * EngineError for a malformed cursor or one issued for another request.
 */
export function decodeLookupCursor(cursor: string, scope: string): string {
  // No cursor of this lookup is longer than the one after the longest id: a longer one is refused
  // before any decoding.
  const longest = encodeLookupCursor(scope, "x".repeat(MAX_ID_LENGTH)).length;
  if (cursor.length > longest) {
    throw new EngineError(
      "invalid-argument",
      `cursor: malformed lookup cursor: ${cursor.length} characters, more than any this lookup returns (${longest})`,
    );
  }
  const decoded = parse(cursor);
  if (decoded === undefined)
    throw new EngineError("invalid-argument", "cursor: malformed lookup cursor");
  if (decoded.scope !== scope) {
    throw new EngineError(
      "invalid-argument",
      `cursor: issued for the lookup ${decoded.scope}, not for ${scope}`,
    );
  }
  return decoded.id;
}

function parse(cursor: string): { scope: string; id: string } | undefined {
  // Node's decoder skips characters outside the alphabet; only exact round trips are accepted.
  if (!BASE64URL.test(cursor)) return undefined;
  const bytes = Buffer.from(cursor, "base64url");
  if (bytes.toString("base64url") !== cursor) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString("utf8"));
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || value.length !== 3 || value[0] !== VERSION) return undefined;
  const [, scope, id] = value;
  if (typeof scope !== "string" || typeof id !== "string" || id === "") return undefined;
  return { scope, id };
}
