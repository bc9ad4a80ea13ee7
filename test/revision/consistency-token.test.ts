// Consistency tokens: round trips, and every corrupted, foreign or overlong token refused.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeToken,
  encodeToken,
  generateStoreId,
  isValidStoreId,
  MAX_STORE_ID_LENGTH,
  MAX_TOKEN_LENGTH,
  readToken,
  TOKEN_PREFIX,
} from "../../src/revision/consistency-token.js";
import { revision } from "../../src/revision/revision.js";
import { TokenError } from "../../src/revision/token-error.js";

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const STORE = "store_8f3kQ2xZ";

const storeIdArb = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
const revisionArb = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }).map(revision);
/** A replacement character: mostly base64url (the hard case), sometimes anything. */
const charArb = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...BASE64URL) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) },
);

/** refusal returns the TokenError decodeToken throws, or fails the test if it returns. */
function refusal(token: string, storeId: string): TokenError {
  try {
    const rev = decodeToken(token, storeId);
    throw new Error(`accepted a bad token as revision ${rev}`);
  } catch (error) {
    if (!(error instanceof TokenError)) throw error;
    return error;
  }
}

function expectDamaged(token: string, storeId: string): void {
  const error = refusal(token, storeId);
  expect(["malformed", "corrupted"]).toContain(error.code);
}

describe("encodeToken / decodeToken", () => {
  it("round-trips any store id and revision", () => {
    fc.assert(
      fc.property(storeIdArb, revisionArb, (storeId, rev) => {
        const token = encodeToken({ storeId, revision: rev });
        expect(token.startsWith(TOKEN_PREFIX)).toBe(true);
        expect(token.length).toBeLessThanOrEqual(MAX_TOKEN_LENGTH);
        expect(decodeToken(token, storeId)).toBe(rev);
        expect(readToken(token)).toEqual({ storeId, revision: rev });
      }),
    );
  });

  it("round-trips the edge revisions", () => {
    for (const value of [0, 1, 255, 256, 2 ** 32, Number.MAX_SAFE_INTEGER]) {
      expect(decodeToken(encodeToken({ storeId: STORE, revision: revision(value) }), STORE)).toBe(
        value,
      );
    }
  });

  it("gives different revisions different tokens", () => {
    const a = encodeToken({ storeId: STORE, revision: revision(41) });
    const b = encodeToken({ storeId: STORE, revision: revision(42) });
    expect(a).not.toBe(b);
  });

  it("refuses to encode an invalid store id or revision", () => {
    expect(() => encodeToken({ storeId: "", revision: revision(1) })).toThrow(RangeError);
    expect(() => encodeToken({ storeId: "a b", revision: revision(1) })).toThrow(RangeError);
    const long = "a".repeat(MAX_STORE_ID_LENGTH + 1);
    expect(() => encodeToken({ storeId: long, revision: revision(1) })).toThrow(RangeError);
    expect(() => encodeToken({ storeId: STORE, revision: -1 as never })).toThrow(RangeError);
    expect(() => encodeToken({ storeId: STORE, revision: 1.5 as never })).toThrow(RangeError);
  });

  it("generates valid, distinct store ids", () => {
    const ids = new Set(Array.from({ length: 100 }, generateStoreId));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(isValidStoreId(id)).toBe(true);
  });
});

describe("corrupted tokens", () => {
  it("refuses every single-character substitution of one token, exhaustively", () => {
    const token = encodeToken({ storeId: STORE, revision: revision(123_456) });
    for (let i = 0; i < token.length; i++) {
      for (const c of BASE64URL) {
        if (c === token[i]) continue;
        expectDamaged(token.slice(0, i) + c + token.slice(i + 1), STORE);
      }
    }
  });

  it("refuses any single-character substitution of any token (property)", () => {
    fc.assert(
      fc.property(storeIdArb, revisionArb, fc.nat(), charArb, (storeId, rev, at, c) => {
        const token = encodeToken({ storeId, revision: rev });
        const i = at % token.length;
        fc.pre(token[i] !== c);
        expectDamaged(token.slice(0, i) + c + token.slice(i + 1), storeId);
      }),
      { numRuns: 2000 },
    );
  });

  it("refuses any inserted or removed character (property)", () => {
    fc.assert(
      fc.property(storeIdArb, revisionArb, fc.nat(), charArb, (storeId, rev, at, c) => {
        const token = encodeToken({ storeId, revision: rev });
        const i = at % (token.length + 1);
        expectDamaged(token.slice(0, i) + c + token.slice(i), storeId);
        const j = at % token.length;
        expectDamaged(token.slice(0, j) + token.slice(j + 1), storeId);
      }),
      { numRuns: 1000 },
    );
  });

  it("refuses every truncation and extension", () => {
    const token = encodeToken({ storeId: STORE, revision: revision(7) });
    for (let n = 0; n < token.length; n++) expectDamaged(token.slice(0, n), STORE);
    for (const c of BASE64URL) expectDamaged(token + c, STORE);
    expectDamaged(`${token}AAAA`, STORE);
    expectDamaged(`${token}=`, STORE);
    expectDamaged(` ${token}`, STORE);
  });

  it("names the problem without echoing the token", () => {
    const token = encodeToken({ storeId: STORE, revision: revision(99) });
    const bad = `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`;
    const error = refusal(bad, STORE);
    expect(error.code).toBe("corrupted");
    expect(error.message).toMatch(/checksum/);
    expect(error.message).not.toContain(bad.slice(TOKEN_PREFIX.length, TOKEN_PREFIX.length + 8));
    expect(error.message).not.toContain(STORE);
  });

  it("classifies non-tokens as malformed", () => {
    for (const input of ["", "hello", "lt2_AAAA", "lt1_not*base64", "LT1_AAAA"]) {
      expect(refusal(input, STORE).code).toBe("malformed");
    }
    expect(refusal(42 as unknown as string, STORE).code).toBe("malformed");
  });
});

describe("foreign and overlong tokens", () => {
  it("refuses a valid token from another store", () => {
    const token = encodeToken({ storeId: "store-A", revision: revision(5) });
    const error = refusal(token, "store-B");
    expect(error.code).toBe("foreign-store");
    expect(error.message).toMatch(/different store/);
  });

  it("refuses overlong input before looking at it: its length is checked first", () => {
    // No prefix, and characters no token has: any other check would have refused it first.
    const huge = "!".repeat(5_000_000);
    const error = refusal(huge, STORE);
    expect(error.code).toBe("malformed");
    expect(error.message).toContain(`longer than ${MAX_TOKEN_LENGTH} characters`);
    expect(error.message.length).toBeLessThan(120);
  });

  it("refuses a token one character over the limit", () => {
    expect(refusal("x".repeat(MAX_TOKEN_LENGTH + 1), STORE).message).toMatch(/longer than/);
  });
});
