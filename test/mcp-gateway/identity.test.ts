// Identity: agent keys with an on-behalf-of header, JWTs with nested act claims, and refusals.

import { SignJWT } from "jose";
import { describe, expect, it, vi } from "vitest";
import { hashApiKey } from "../../src/api/api-keys.js";
import { createIdentityResolver } from "../../src/mcp-gateway/identity.js";

const SECRET = "a-shared-key-of-at-least-32-characters";
const resolve = createIdentityResolver(
  {
    agentKeys: [{ agent: "agent:bot", sha256: hashApiKey("ak_bot") }],
    jwt: { secretEnv: "JWT_KEY", subjectType: "user", actorType: "agent" },
  },
  { JWT_KEY: SECRET },
);
const sign = (claims: Record<string, unknown>) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setExpirationTime("1m")
    .sign(new TextEncoder().encode(SECRET));

describe("createIdentityResolver", () => {
  it("resolves an agent key acting for the on-behalf-of subject", async () => {
    expect(await resolve({ authorization: "bearer ak_bot", onBehalfOf: "user:alice" })).toEqual({
      subject: "user:alice",
      actors: ["agent:bot"],
    });
  });

  it("orders a JWT's act chain nearest the subject first, the current actor (outermost) last", async () => {
    const token = await sign({ sub: "alice", act: { sub: "caller", act: { sub: "agent:first" } } });
    expect(await resolve({ authorization: `Bearer ${token}`, onBehalfOf: undefined })).toEqual({
      subject: "user:alice",
      actors: ["agent:first", "agent:caller"],
    });
  });

  it("remembers a verified JWT until its exp only, and verifies any other token afresh", async () => {
    const token = await sign({ sub: "alice", act: { sub: "bot" } });
    const credentials = { authorization: `Bearer ${token}`, onBehalfOf: undefined };
    const identity = { subject: "user:alice", actors: ["agent:bot"] };
    expect(await resolve(credentials)).toEqual(identity);
    expect(await resolve(credentials)).toEqual(identity);
    const forged = `${token.slice(0, token.lastIndexOf(".") + 1)}${"A".repeat(43)}`;
    await expect(
      resolve({ authorization: `Bearer ${forged}`, onBehalfOf: undefined }),
    ).rejects.toThrow("JWS_SIGNATURE_VERIFICATION_FAILED");
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(Date.now() + 61_000);
      await expect(resolve(credentials)).rejects.toThrow("the JWT has expired");
    } finally {
      vi.useRealTimers();
    }
  });

  it("refuses what names no one", async () => {
    await expect(resolve({ authorization: undefined, onBehalfOf: "user:alice" })).rejects.toThrow(
      "no identity",
    );
    await expect(
      resolve({ authorization: "Bearer ak_other", onBehalfOf: "user:alice" }),
    ).rejects.toThrow("no configured agent key");
    await expect(resolve({ authorization: "Bearer ak_bot", onBehalfOf: "alice" })).rejects.toThrow(
      "latch-on-behalf-of",
    );
    const noSub = await sign({ act: { sub: "bot" } });
    await expect(
      resolve({ authorization: `Bearer ${noSub}`, onBehalfOf: undefined }),
    ).rejects.toThrow("the JWT has no sub");
  });
});
