// Who an MCP client is: the person it acts for and the chain of agents, from an agent key or a JWT.

import { hash, timingSafeEqual } from "node:crypto";
import { createRemoteJWKSet, errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from "jose";
import type { GatewayConfig } from "./gateway-config.js";

/** ON_BEHALF_OF_HEADER names the person an agent key's client acts for: `user:alice`. */
export const ON_BEHALF_OF_HEADER = "latch-on-behalf-of";

/** The most agents a chain may hold, as Latch's checks allow. */
const MAX_ACTORS = 16;
const OBJECT = /^[a-z][a-z0-9_]{1,62}[a-z0-9]:[a-zA-Z0-9/_|\-=+]{1,1024}$/;
const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]*$/;
/** How many verified JWTs a gateway remembers; past it, the one verified first is forgotten. */
const REMEMBERED_JWTS = 4096;

/**
 * Identity is whom a client session acts as: `subject` the person (`user:alice`), `actors` the
 * agents acting for them, nearest first (the one making the calls last), as Latch's checks take them.
 */
export interface Identity {
  readonly subject: string;
  readonly actors: readonly string[];
}

/** IdentityError says why a client has no identity: it gets no tools. */
export class IdentityError extends Error {
  readonly code = "unauthenticated";
  constructor(reason: string) {
    super(reason);
    this.name = "IdentityError";
  }
}

/** Credentials are what a client presented: its `authorization` and on-behalf-of headers. */
export interface Credentials {
  readonly authorization: string | undefined;
  readonly onBehalfOf: string | undefined;
}

/** IdentityResolver turns credentials into an identity, or throws an IdentityError. */
export type IdentityResolver = (credentials: Credentials) => Promise<Identity>;

/**
 * createIdentityResolver resolves `authorization: Bearer <token>`: a JWT (three dot-separated
 * parts) verified against the configured JWKS or shared key, its `sub` the subject and its nested
 * `act` claims (RFC 8693, the outermost the current actor) the actors; else an agent key, the
 * agent the configuration names for its SHA-256, acting for the on-behalf-of header's subject.
 * A JWT's identity is remembered until its `exp` (a session sends its token with every request:
 * its signature is verified once); one without `exp` is verified every time.
 */
export function createIdentityResolver(
  config: GatewayConfig["identity"],
  env: Readonly<Record<string, string | undefined>>,
): IdentityResolver {
  const keys = config.agentKeys.map((k) => ({
    agent: k.agent,
    digest: Buffer.from(k.sha256, "hex"),
  }));
  const jwt = config.jwt;
  let key: JWTVerifyGetKey | Uint8Array | undefined;
  if (jwt?.jwksUrl !== undefined) key = createRemoteJWKSet(new URL(jwt.jwksUrl));
  else if (jwt?.secretEnv !== undefined) {
    const secret = env[jwt.secretEnv];
    if (secret === undefined || secret.length < 32) {
      throw new IdentityError(
        `identity.jwt.secretEnv: ${jwt.secretEnv} must hold a key of at least 32 characters`,
      );
    }
    key = new TextEncoder().encode(secret);
  }
  const verifiedJwts = new Map<string, { identity: Identity; expiresMs: number }>();
  return async ({ authorization, onBehalfOf }) => {
    const token = /^bearer[ \t]+(\S+)$/i.exec(authorization?.trim() ?? "")?.[1];
    if (token === undefined)
      throw new IdentityError("no identity: send authorization: Bearer <agent key or JWT>");
    if (JWT_SHAPE.test(token)) {
      if (jwt === undefined || key === undefined)
        throw new IdentityError("JWTs are not accepted: no identity.jwt configured");
      const known = verifiedJwts.get(token);
      if (known !== undefined && Date.now() < known.expiresMs) return known.identity;
      verifiedJwts.delete(token);
      const payload = await verified(token, key, jwt);
      const identity = fromJwt(payload, jwt.subjectType, jwt.actorType);
      if (payload.exp !== undefined) {
        if (verifiedJwts.size >= REMEMBERED_JWTS) {
          verifiedJwts.delete(verifiedJwts.keys().next().value!);
        }
        verifiedJwts.set(token, { identity, expiresMs: payload.exp * 1000 });
      }
      return identity;
    }
    const digest = hash("sha256", token, "buffer");
    let agent: string | undefined;
    for (const k of keys)
      if (timingSafeEqual(digest, k.digest) && agent === undefined) agent = k.agent;
    if (agent === undefined) throw new IdentityError("the bearer token is no configured agent key");
    const subject = onBehalfOf?.trim();
    if (subject === undefined || !OBJECT.test(subject)) {
      throw new IdentityError(
        `an agent key needs ${ON_BEHALF_OF_HEADER}: the person it acts for, as user:alice`,
      );
    }
    return { subject, actors: [agent] };
  };
}

async function verified(
  token: string,
  key: JWTVerifyGetKey | Uint8Array,
  jwt: NonNullable<GatewayConfig["identity"]["jwt"]>,
): Promise<JWTPayload> {
  const options = {
    ...(jwt.issuer === undefined ? {} : { issuer: jwt.issuer }),
    ...(jwt.audience === undefined ? {} : { audience: jwt.audience }),
  };
  try {
    const { payload } =
      key instanceof Uint8Array
        ? await jwtVerify(token, key, options)
        : await jwtVerify(token, key, options);
    return payload;
  } catch (error) {
    if (error instanceof errors.JWTExpired) throw new IdentityError("the JWT has expired");
    if (error instanceof errors.JOSEError)
      throw new IdentityError(`the JWT is not valid: ${error.code}`);
    throw error;
  }
}

/** fromJwt reads `sub` and the `act` chain; names without a type get the configured one. */
function fromJwt(payload: JWTPayload, subjectType: string, actorType: string): Identity {
  const subject = reference(payload.sub, subjectType, "sub");
  const callerFirst: string[] = [];
  let act: unknown = payload.act;
  while (act !== undefined) {
    if (typeof act !== "object" || act === null)
      throw new IdentityError("the JWT's act claim is not an object");
    if (callerFirst.length === MAX_ACTORS)
      throw new IdentityError(`the JWT names more than ${MAX_ACTORS} actors`);
    const claim = act as { sub?: unknown; act?: unknown };
    callerFirst.push(reference(claim.sub, actorType, "act.sub"));
    act = claim.act;
  }
  return { subject, actors: callerFirst.reverse() };
}

function reference(value: unknown, type: string, claim: string): string {
  if (typeof value !== "string" || value === "") throw new IdentityError(`the JWT has no ${claim}`);
  const ref = value.includes(":") ? value : `${type}:${value}`;
  if (!OBJECT.test(ref))
    throw new IdentityError(`the JWT's ${claim} is not an object id: ${value}`);
  return ref;
}
