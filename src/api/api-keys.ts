// API keys: only their SHA-256 is kept; a presented key is hashed and compared in constant time.

import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Scope is what a key may do: check permissions, read relationships, write them, write the
 * schema, read the decision log (audit), decide access requests (approve), or all.
 */
export type Scope = "check" | "read" | "write" | "schema" | "audit" | "approve" | "admin";

/** SCOPES lists every scope. */
export const SCOPES: readonly Scope[] = [
  "check",
  "read",
  "write",
  "schema",
  "audit",
  "approve",
  "admin",
];

/** ApiKey is a configured key: a name for logs, the SHA-256 of the secret (hex), its scopes. */
export interface ApiKey {
  readonly name: string;
  readonly sha256: string;
  readonly scopes: readonly Scope[];
}

/** Principal is who a request authenticated as. */
export interface Principal {
  readonly keyName: string;
  readonly scopes: ReadonlySet<Scope>;
}

/** hashApiKey is the hex SHA-256 of a key's secret, as configuration stores it. */
export function hashApiKey(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/**
 * ApiKeyRing authenticates bearer tokens against the configured keys. Every key's hash is
 * compared, whatever matches, so the time taken does not tell which key came close.
 */
export class ApiKeyRing {
  private readonly keys: readonly { readonly principal: Principal; readonly digest: Buffer }[];

  constructor(keys: readonly ApiKey[]) {
    this.keys = keys.map((key) => {
      if (!/^[0-9a-f]{64}$/.test(key.sha256)) {
        throw new Error(`API key ${key.name}: sha256 must be 64 lowercase hex digits`);
      }
      const principal = { keyName: key.name, scopes: new Set(key.scopes) };
      return { principal, digest: Buffer.from(key.sha256, "hex") };
    });
  }

  /** isEmpty says whether no key is configured: development mode. */
  get isEmpty(): boolean {
    return this.keys.length === 0;
  }

  /** authenticate returns the principal of secret, or undefined when no key matches. */
  authenticate(secret: string): Principal | undefined {
    const digest = createHash("sha256").update(secret, "utf8").digest();
    let found: Principal | undefined;
    for (const { principal, digest: expected } of this.keys) {
      if (timingSafeEqual(digest, expected) && found === undefined) found = principal;
    }
    return found;
  }
}
