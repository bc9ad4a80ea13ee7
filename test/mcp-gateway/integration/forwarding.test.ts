// What the MCP gateway passes on besides lists and calls, the server over stdio and over HTTP:
// subscriptions and completions (checked), log lines and list changes, and the server's requests
// to the client (sampling, elicitation, roots) relayed to the session whose call asked; the
// client's change of roots passed to the server.

import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import {
  type CallToolResult,
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
  ResourceListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { CheckResult } from "../../../src/gen/latch/v1/permission_service_pb.js";
import { ON_BEHALF_OF_HEADER } from "../../../src/mcp-gateway/identity.js";
import {
  ASSISTANT_KEY,
  type GatewayMode,
  type GatewayRig,
  INTERN_KEY,
  startRig,
  type UpstreamKind,
} from "./gateway-harness.js";

const AS_ASSISTANT = {
  authorization: `Bearer ${ASSISTANT_KEY}`,
  [ON_BEHALF_OF_HEADER]: "user:alice",
};
const AS_INTERN = { authorization: `Bearer ${INTERN_KEY}`, [ON_BEHALF_OF_HEADER]: "user:alice" };
const INDEX = "docs://index";
const TEMPLATE = "docs://documents/{document_id}";
const INDEX_READER = "mcp_resource:docs/docs=3A=2F=2Findex#reader@agent:intern";

/** The example server's tools that ask the client, and what it holds, for alice and her assistant. */
const GRANTS = [
  ...["write_document", "summarize_document", "choose_document", "list_roots"].flatMap((tool) => [
    `mcp_tool:docs/${tool}#caller@user:alice`,
    `mcp_tool:docs/${tool}#caller@agent:assistant`,
  ]),
  ...["user:alice", "agent:assistant"].flatMap((who) => [
    `mcp_prompt:docs/summarize#getter@${who}`,
    `mcp_resource:docs/docs=3A=2F=2Fdocuments=2F=7Bdocument_id=7D#reader@${who}`,
    `mcp_resource:docs/docs=3A=2F=2Fdocuments=2Fmemo#reader@${who}`,
  ]),
];

const text = (result: unknown) => ((result as CallToolResult).content[0] as { text: string }).text;

describe.each<[GatewayMode, UpstreamKind]>([
  ["standalone", "stdio"],
  ["standalone", "http"],
  ["serve", "stdio"],
])("the MCP gateway (%s) passes on, the server over %s", (mode, kind) => {
  let rig: GatewayRig;

  beforeAll(async () => {
    rig = await startRig(kind, "sync", mode);
    await rig.latchCli("rel", "touch", ...GRANTS);
  });
  afterAll(async () => {
    await rig?.close();
  });

  it("subscriptions where the chain may read, updates to the subscribers still allowed, list changes to all", async () => {
    const subscriber = await rig.connect(AS_ASSISTANT);
    const bystander = await rig.connect(AS_ASSISTANT);
    const intern = await rig.connect(AS_INTERN);
    await expect(intern.subscribeResource({ uri: INDEX })).rejects.toThrow(
      "denied: agent:intern does not have read on mcp_resource:docs/docs=3A=2F=2Findex",
    );
    // The intern may subscribe while it may read; the grant ends before the update.
    await rig.latchCli("rel", "touch", INDEX_READER);
    // Checked at minimize_latency: the cached denial may answer until the grant reaches the cache.
    await vi.waitFor(() => intern.subscribeResource({ uri: INDEX }));
    await rig.latchCli("rel", "delete", INDEX_READER);
    await subscriber.subscribeResource({ uri: INDEX });

    const updated = new Map<Client, string[]>();
    const changed = new Map<Client, number>();
    for (const client of [subscriber, bystander, intern]) {
      updated.set(client, []);
      changed.set(client, 0);
      client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
        updated.get(client)!.push(n.params.uri);
      });
      client.setNotificationHandler(ResourceListChangedNotificationSchema, () => {
        changed.set(client, changed.get(client)! + 1);
      });
    }
    const listed = async (client: Client) =>
      (await client.listResources()).resources.map((r) => r.uri).sort();
    expect(await listed(bystander)).toEqual([INDEX]);

    await subscriber.callTool({
      name: "docs__write_document",
      arguments: { document_id: "memo", text: "Hello." },
    });
    await vi.waitFor(() => expect(updated.get(subscriber)).toEqual([INDEX]));
    // The intern's delivery was checked again, and refused: it is never sent.
    await vi.waitFor(async () => {
      const { decisions } = await rig.latch.decisions.listDecisions({
        filter: { actor: "agent:intern", resource: "mcp_resource" },
      });
      const recheck = decisions.find((d) => d.origin?.method === "notifications/resources/updated");
      expect(recheck?.result).toBe(CheckResult.DENIED);
    });
    expect(updated.get(intern)).toEqual([]);
    expect(updated.get(bystander)).toEqual([]);
    // Every session hears that the list changed, and lists again through its own checks.
    await vi.waitFor(() => expect(changed.get(bystander)).toBeGreaterThan(0));
    expect(await listed(bystander)).toEqual(["docs://documents/memo", INDEX]);
    await subscriber.unsubscribeResource({ uri: INDEX });
  });

  it("log lines to the session whose call wrote them, at its level", async () => {
    const caller = await rig.connect(AS_ASSISTANT);
    const other = await rig.connect(AS_ASSISTANT);
    const lines = new Map<Client, string[]>([
      [caller, []],
      [other, []],
    ]);
    for (const [client, got] of lines)
      client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
        got.push(`${n.params.level} ${String(n.params.data)}`);
      });
    await caller.setLoggingLevel("info");
    await caller.callTool({
      name: "docs__write_document",
      arguments: { document_id: "memo", text: "Again." },
    });
    // The debug line came first, on the same stream: by the info line it was dropped.
    await vi.waitFor(() => expect(lines.get(caller)).toContain("info wrote memo"));
    expect(lines.get(caller)).toEqual(["info wrote memo"]);
    expect(lines.get(other)).toEqual([]);
  });

  it("a server's sampling, elicitation and roots requests to the client calling, and its answer back", async () => {
    const client = await rig.connect(AS_ASSISTANT, {
      sampling: {},
      elicitation: { form: {} },
      roots: {},
    });
    client.setRequestHandler(CreateMessageRequestSchema, (request) => {
      const content = request.params.messages[0]?.content;
      const asked = content !== undefined && "text" in content ? content.text : "";
      return {
        model: "test",
        role: "assistant",
        content: { type: "text", text: `summary of ${asked}` },
      };
    });
    client.setRequestHandler(ElicitRequestSchema, () => ({
      action: "accept",
      content: { document_id: "roadmap" },
    }));
    client.setRequestHandler(ListRootsRequestSchema, () => ({
      roots: [{ uri: "file:///work", name: "work" }],
    }));
    expect(
      text(
        await client.callTool({
          name: "docs__summarize_document",
          arguments: { document_id: "roadmap" },
        }),
      ),
    ).toBe("summary of Summarize: Q3: ship the MCP gateway.");
    expect(text(await client.callTool({ name: "docs__choose_document" }))).toBe(
      "Q3: ship the MCP gateway.",
    );
    expect(text(await client.callTool({ name: "docs__list_roots" }))).toBe("file:///work");

    const unable = await rig.connect(AS_ASSISTANT);
    const refused = await unable.callTool({ name: "docs__list_roots" });
    expect(refused.isError).toBe(true);
    expect(text(refused)).toContain("roots/list: the client calling does not support roots");
  });

  it("the client's change of roots to the server, whose next roots/list gets the new ones", async () => {
    let roots = [{ uri: "file:///before" }];
    const client = await rig.connect(AS_ASSISTANT, { roots: { listChanged: true } });
    client.setRequestHandler(ListRootsRequestSchema, () => ({ roots }));
    expect(text(await client.callTool({ name: "docs__list_roots" }))).toBe("file:///before");
    roots = [{ uri: "file:///after" }];
    await client.sendRootsListChanged();
    await vi.waitFor(() => expect(rig.calls()).toContain("notifications/roots/list_changed"));
    expect(text(await client.callTool({ name: "docs__list_roots" }))).toBe("file:///after");
  });

  it("refuses a server's request while several sessions' calls are in flight", async () => {
    let answer: (() => void) | undefined;
    const asked = new Promise<void>((resolve) => {
      answer = resolve;
    });
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first = await rig.connect(AS_ASSISTANT, { roots: {} });
    first.setRequestHandler(ListRootsRequestSchema, async () => {
      answer?.();
      await released;
      return { roots: [{ uri: "file:///first" }] };
    });
    const second = await rig.connect(AS_ASSISTANT, { roots: {} });
    second.setRequestHandler(ListRootsRequestSchema, () => ({
      roots: [{ uri: "file:///second" }],
    }));
    const firstCall = first.callTool({ name: "docs__list_roots" });
    await asked;
    const secondCall = await second.callTool({ name: "docs__list_roots" });
    expect(text(secondCall)).toContain(
      "roots/list: 2 sessions have calls to server docs in flight; the gateway cannot tell whose this is",
    );
    release();
    expect(text(await firstCall)).toBe("file:///first");
  });

  it("completions checked as the prompt's get or the template's read", async () => {
    const assistant = await rig.connect(AS_ASSISTANT);
    const intern = await rig.connect(AS_INTERN);
    const prompt = { type: "ref/prompt" as const, name: "docs__summarize" };
    const completed = await assistant.complete({
      ref: prompt,
      argument: { name: "document_id", value: "road" },
    });
    expect(completed.completion.values).toEqual(["roadmap"]);
    await expect(
      intern.complete({ ref: prompt, argument: { name: "document_id", value: "" } }),
    ).rejects.toThrow("denied: agent:intern does not have get on mcp_prompt:docs/summarize");
    const { decisions } = await rig.latch.decisions.listDecisions({
      filter: { actor: "agent:intern", resource: "mcp_prompt:docs/summarize" },
    });
    expect(decisions.map((d) => d.origin)).toContainEqual({
      via: "mcp-gateway",
      server: "docs",
      method: "completion/complete",
      prompt: "summarize",
      argument: "document_id",
    });

    const template = { type: "ref/resource" as const, uri: TEMPLATE };
    const values = await assistant.complete({
      ref: template,
      argument: { name: "document_id", value: "sal" },
    });
    expect(values.completion.values).toEqual(["salaries"]);
    await expect(
      intern.complete({ ref: template, argument: { name: "document_id", value: "" } }),
    ).rejects.toThrow(
      "denied: agent:intern does not have read on mcp_resource:docs/docs=3A=2F=2Fdocuments=2F=7Bdocument_id=7D",
    );
  });
});
