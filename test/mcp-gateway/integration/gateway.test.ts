// The MCP gateway in front of the example docs server, over stdio and over Streamable HTTP: what an
// agent acting for a person sees and may call, what reaches the server, and what the log records.

import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { CheckResult } from "../../../src/gen/latch/v1/permission_service_pb.js";
import { ON_BEHALF_OF_HEADER } from "../../../src/mcp-gateway/identity.js";
import { REDACTED } from "../../../src/mcp-gateway/proxy-session.js";
import {
  ASSISTANT_KEY,
  directClient,
  type GatewayMode,
  type GatewayRig,
  INTERN_KEY,
  JWT_SECRET,
  startRig,
  stdioDirectClient,
  type UpstreamKind,
} from "./gateway-harness.js";

const AS_ASSISTANT = {
  authorization: `Bearer ${ASSISTANT_KEY}`,
  [ON_BEHALF_OF_HEADER]: "user:alice",
};
const AS_INTERN = { authorization: `Bearer ${INTERN_KEY}`, [ON_BEHALF_OF_HEADER]: "user:alice" };

const names = async (client: Client) => (await client.listTools()).tools.map((t) => t.name).sort();
const text = (result: unknown) => ((result as CallToolResult).content[0] as { text: string }).text;

/**
 * untilApplied waits for call's answer to match expected: a write takes effect on a replica's
 * `minimize_latency` checks (the gateway's) once its change tracker has applied it, a few
 * milliseconds after the write returns. Every call after the first that matches must match too:
 * no answer from before the write comes back.
 */
async function untilApplied(call: () => Promise<string>, expected: string | RegExp): Promise<void> {
  const matches = (answer: string) =>
    typeof expected === "string" ? answer === expected : expected.test(answer);
  await vi.waitFor(async () => expect(matches(await call())).toBe(true));
  for (let i = 0; i < 3; i++) expect(matches(await call())).toBe(true);
}

function jwt(
  claims: Record<string, unknown>,
  secret = JWT_SECRET,
  expires: number | string = "5m",
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setIssuedAt()
    .setExpirationTime(expires)
    .sign(new TextEncoder().encode(secret));
}

describe.each<[GatewayMode, UpstreamKind]>([
  ["standalone", "stdio"],
  ["standalone", "http"],
  ["serve", "stdio"],
  ["serve", "http"],
])("the MCP gateway (%s), the server over %s", (mode, kind) => {
  let rig: GatewayRig;

  beforeAll(async () => {
    rig = await startRig(kind, "sync", mode);
  });
  afterAll(async () => {
    await rig?.close();
  });

  it("lists only the tools both the person and the agent may call", async () => {
    expect(await names(await rig.connect(AS_ASSISTANT))).toEqual([
      "docs__list_documents",
      "docs__read_document",
    ]);
    expect(await names(await rig.connect(AS_INTERN))).toEqual(["docs__list_documents"]);
  });

  it("forwards an allowed call and returns the server's result unchanged", async () => {
    const gateway = await rig.connect(AS_ASSISTANT);
    const through = await gateway.callTool({
      name: "docs__read_document",
      arguments: { document_id: "roadmap" },
    });
    const direct =
      kind === "http" ? await directClient(rig.upstreamUrl!) : await stdioDirectClient();
    try {
      expect(through).toEqual(
        await direct.callTool({ name: "read_document", arguments: { document_id: "roadmap" } }),
      );
    } finally {
      await direct.close();
    }
    expect(text(through)).toBe("Q3: ship the MCP gateway.");
  });

  it("checks the resource an argument names", async () => {
    const gateway = await rig.connect(AS_ASSISTANT);
    const before = rig.calls().length;
    const refused = await gateway.callTool({
      name: "docs__read_document",
      arguments: { document_id: "salaries" },
    });
    expect(refused.isError).toBe(true);
    expect(text(refused)).toBe("denied: user:alice does not have view on document:salaries");
    expect(rig.calls().length).toBe(before);
  });

  it("never forwards a denied call; its access request, once approved, lets the retry through", async () => {
    const gateway = await rig.connect(AS_ASSISTANT);
    const before = rig.calls().length;
    const refused = (await gateway.callTool({
      name: "docs__delete_document",
      arguments: { document_id: "roadmap" },
    })) as CallToolResult;
    expect(refused.isError).toBe(true);
    const requestId = refused._meta?.["latch/accessRequestId"] as string;
    expect(text(refused)).toBe(
      `denied: agent:assistant does not have call on mcp_tool:docs/delete_document; access request ${requestId} awaits approval (retry once it is approved)`,
    );
    expect(rig.calls().length).toBe(before);
    // A second refusal names the same pending request rather than making another.
    const again = (await gateway.callTool({
      name: "docs__delete_document",
      arguments: { document_id: "roadmap" },
    })) as CallToolResult;
    expect(again._meta?.["latch/accessRequestId"]).toBe(requestId);

    expect(await rig.latchCli("access", "approve", requestId, "--for", "10m")).toContain(
      "approved mcp_tool:docs/delete_document#caller@agent:assistant",
    );
    // As soon as this replica has applied the grant (until then the cached denial answers).
    await vi.waitFor(async () => {
      const retried = await gateway.callTool({
        name: "docs__delete_document",
        arguments: { document_id: "roadmap" },
      });
      expect(text(retried)).toBe("deleted roadmap");
    });
    expect(rig.calls().slice(before)).toEqual(["delete_document"]);
    await rig.latchCli("access", "revoke", requestId);
  });

  it("cuts a suspended agent off in the middle of its session", async () => {
    const gateway = await rig.connect(AS_ASSISTANT);
    expect(text(await gateway.callTool({ name: "docs__list_documents" }))).toContain("salaries");
    const list = async () => text(await gateway.callTool({ name: "docs__list_documents" }));
    await rig.latchCli("suspend", "agent:assistant", "--reason", "test");
    try {
      await untilApplied(list, "denied: agent:assistant is suspended");
      expect(await names(gateway)).toEqual([]);
    } finally {
      await rig.latchCli("resume", "agent:assistant");
      await vi.waitFor(async () => expect(await list()).toContain("salaries"));
    }
  });

  it("checks resources/read and prompts/get", async () => {
    const assistant = await rig.connect(AS_ASSISTANT);
    expect((await assistant.listResources()).resources.map((r) => r.uri)).toEqual(["docs://index"]);
    expect((await assistant.readResource({ uri: "docs://index" })).contents[0]).toMatchObject({
      uri: "docs://index",
    });
    expect((await assistant.listPrompts()).prompts).toEqual([]);
    await expect(
      assistant.getPrompt({ name: "docs__summarize", arguments: { document_id: "roadmap" } }),
    ).rejects.toThrow("denied: agent:assistant does not have get on mcp_prompt:docs/summarize");
    const intern = await rig.connect(AS_INTERN);
    await expect(intern.readResource({ uri: "docs://index" })).rejects.toThrow(
      "denied: agent:intern does not have read on mcp_resource:docs/docs=3A=2F=2Findex",
    );
  });

  it("takes the chain from a JWT's sub and nested act claims", async () => {
    // The intern called by the assistant, for alice: the assistant is the current actor.
    const token = await jwt({ sub: "alice", act: { sub: "intern", act: { sub: "assistant" } } });
    const gateway = await rig.connect({ authorization: `Bearer ${token}` });
    expect(await names(gateway)).toEqual(["docs__list_documents"]);
  });

  it("refuses a JWT with a bad signature, an expired JWT, and a client with no identity", async () => {
    const forged = await jwt(
      { sub: "alice", act: { sub: "assistant" } },
      "another-secret-of-more-than-32-chars",
    );
    await expect(rig.connect({ authorization: `Bearer ${forged}` })).rejects.toThrow(
      /JWS_SIGNATURE_VERIFICATION_FAILED/,
    );
    const expired = await jwt(
      { sub: "alice", act: { sub: "assistant" } },
      JWT_SECRET,
      Math.floor(Date.now() / 1000) - 60,
    );
    await expect(rig.connect({ authorization: `Bearer ${expired}` })).rejects.toThrow(
      /the JWT has expired/,
    );
    await expect(rig.connect({})).rejects.toThrow(/no identity/);
    await expect(rig.connect({ authorization: `Bearer ${ASSISTANT_KEY}` })).rejects.toThrow(
      /latch-on-behalf-of/,
    );
  });

  it("refuses bodies over its limit, other identities' sessions, and calls outside a session", async () => {
    const post = (body: string, headers: Record<string, string> = {}) =>
      fetch(rig.url, {
        method: "POST",
        headers: {
          ...AS_ASSISTANT,
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          ...headers,
        },
        body,
      });
    expect((await post("x".repeat(1024 * 1024 + 1))).status).toBe(413);
    const call = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" });
    expect((await post(call)).status).toBe(400);
    const session = (await rig.connect(AS_ASSISTANT)) as Client & {
      transport?: { sessionId?: string };
    };
    const sessionId = session.transport?.sessionId ?? "";
    const stolen = await post(call, {
      ...AS_INTERN,
      "mcp-session-id": sessionId,
      "mcp-protocol-version": "2025-06-18",
    });
    expect(stolen.status).toBe(403);
  });

  it("records every attempt in the decision log with the chain, the server, the tool and the arguments", async () => {
    const gateway = await rig.connect(AS_INTERN);
    await gateway.callTool({
      name: "docs__read_document",
      arguments: { document_id: "roadmap", secret: "s3" },
    });
    const { decisions } = await rig.latch.decisions.listDecisions({
      filter: { actor: "agent:intern", resource: "mcp_tool:docs/read_document" },
    });
    const call = decisions.find((d) => d.origin?.method === "tools/call");
    expect(call).toBeDefined();
    expect({
      apiKey: call!.apiKey,
      subject: call!.subject,
      actors: call!.actors,
      permission: call!.permission,
      result: call!.result,
      deniedBy: call!.deniedBy,
    }).toEqual({
      apiKey: "gateway",
      subject: "user:alice",
      actors: ["agent:intern"],
      permission: "call",
      result: CheckResult.DENIED,
      deniedBy: "agent:intern",
    });
    expect(call!.origin).toEqual({
      via: "mcp-gateway",
      server: "docs",
      method: "tools/call",
      tool: "read_document",
      arguments: { document_id: "roadmap", secret: REDACTED },
    });
    // Listing is recorded too: one decision per tool, each naming it.
    const listed = await rig.latch.decisions.listDecisions({
      filter: { actor: "agent:intern", resource: "mcp_tool" },
    });
    expect(
      listed.decisions.some(
        (d) => d.origin?.method === "tools/list" && d.origin.tool === "delete_document",
      ),
    ).toBe(true);
  });

  // Last: a grant given back may be denied from the cache for a moment.
  it("denies the next call once a relationship it relied on is deleted", async () => {
    const gateway = await rig.connect(AS_INTERN);
    const list = async () => text(await gateway.callTool({ name: "docs__list_documents" }));
    expect(await list()).toContain("salaries");
    const grant = "mcp_tool:docs/list_documents#caller@agent:intern";
    await rig.latchCli("rel", "delete", grant);
    try {
      await untilApplied(
        list,
        /^denied: agent:intern does not have call on mcp_tool:docs\/list_documents; access request /,
      );
    } finally {
      await rig.latchCli("rel", "touch", grant);
    }
  });
});
