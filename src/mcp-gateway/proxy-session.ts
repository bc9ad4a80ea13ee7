// One client's session: an MCP server that lists and forwards only what the client's chain may use.

import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import {
  CallToolRequestSchema,
  type CallToolResult,
  CompleteRequestSchema,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  type Progress,
  ReadResourceRequestSchema,
  RootsListChangedNotificationSchema,
  type ServerCapabilities,
  SetLevelRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { checkContext } from "../tuple/context-limits.js";
import type { Authorizer } from "./authorizer.js";
import type { GatewayConfig } from "./gateway-config.js";
import type { Identity } from "./identity.js";
import type { HubSession } from "./resource-subscriptions.js";
import type { SessionHub } from "./session-hub.js";
import {
  type CheckTarget,
  callTargets,
  namedTarget,
  PROMPT_TYPE,
  RESOURCE_TYPE,
  type TargetProblem,
  toolGate,
} from "./tool-resource.js";
import type { RpcAnswer, RpcError } from "./upstream-calls.js";
import { UPSTREAM_SEPARATOR, type Upstream, type Upstreams } from "./upstreams.js";

/** REDACTED replaces the value of an argument the configuration names in `redactArguments`. */
export const REDACTED = "[redacted]";
/** How many pages of a server's list the gateway reads for one listing of its own. */
const MAX_LIST_PAGES = 20;

/** ToolCallParams are the parameters of a tools/call the gateway reads: the rest it passes on. */
export interface ToolCallParams {
  readonly name: string;
  readonly arguments?: Readonly<Record<string, unknown>> | undefined;
  readonly [key: string]: unknown;
}

/**
 * ProxySession is one client's session: its MCP server, and its tools/call, which the SDK server
 * runs and the HTTP endpoint may run itself (see gateway-http). A call is answered with the
 * gateway's refusal as a tool error, or with the server's result or error as the server gave it.
 */
export interface ProxySession {
  readonly server: Server;
  callTool(
    params: ToolCallParams,
    signal: AbortSignal | undefined,
    onprogress?: (progress: Progress) => void,
  ): Promise<RpcAnswer>;
}

/** SessionSettings are what every session shares: the servers, Latch, the configuration. */
export interface SessionSettings {
  readonly upstreams: Upstreams;
  readonly authorizer: Authorizer;
  readonly hub: SessionHub;
  readonly config: GatewayConfig;
}

/**
 * createProxySession is the MCP server of one client acting as identity. Tools and prompts are
 * listed as `<server>__<name>`, resources by their URIs; lists hold only what the chain may use
 * (one CheckBulk per list), and a call, read or get is checked before it is forwarded. A refused
 * call is a tool error whose text says why; a refused read or get is an InvalidRequest error.
 * What passes goes to the server as it came and comes back as the server answered. A subscription
 * is checked as a read, a completion as the get or read of what it completes; the servers' own
 * messages reach the session, and a change of the session's roots the servers, through the
 * {@link SessionHub}.
 */
export function createProxySession(identity: Identity, settings: SessionSettings): ProxySession {
  const { upstreams, authorizer, hub, config } = settings;
  const timeout = config.limits.callTimeoutMs;
  const offered = (capability: "logging" | "completions") =>
    upstreams.all.some((u) => u.client.getServerCapabilities()?.[capability] !== undefined);
  const capabilities: ServerCapabilities = {
    tools: { listChanged: true },
    resources: {
      listChanged: true,
      subscribe: upstreams.all.some(
        (u) => u.client.getServerCapabilities()?.resources?.subscribe === true,
      ),
    },
    prompts: { listChanged: true },
    ...(offered("logging") ? { logging: {} } : {}),
    ...(offered("completions") ? { completions: {} } : {}),
  };
  const server = new Server({ name: "latch-mcp-gateway", version: "1" }, { capabilities });
  const session: HubSession = { server, identity };
  // Joined once initialized: a session whose start failed is never closed, and must not be held.
  server.oninitialized = () => hub.join(session);
  server.onclose = () => void hub.leave(session);
  const origin = (fields: Record<string, JsonValue>): JsonObject => ({
    via: "mcp-gateway",
    ...fields,
  });
  const resourceServers = new Map<string, Upstream>();
  const templateServers = new Map<string, Upstream>();

  server.setRequestHandler(ListToolsRequestSchema, async (_request, extra) => {
    const listed = await collect(upstreams, "tools", async (u, cursor) => {
      const page = await u.client.listTools(cursor === undefined ? {} : { cursor }, {
        timeout,
        signal: extra.signal,
      });
      // The gateway offers no tasks: a tool that must run as one cannot be called through it.
      const callable = page.tools.filter((tool) => tool.execution?.taskSupport !== "required");
      return { items: callable, nextCursor: page.nextCursor };
    });
    const gates = listed.map(({ upstream, item }) =>
      usable(toolGate(upstream.name, item.name, upstream.config.tools?.[item.name])),
    );
    const origins = listed.map(({ upstream, item }) =>
      origin({ server: upstream.name, method: "tools/list", tool: item.name }),
    );
    const allowed = await authorizer.listable(identity, gates, origins);
    return {
      tools: listed
        .filter((_, i) => allowed[i])
        .map(({ upstream, item }) => ({
          ...item,
          name: `${upstream.name}${UPSTREAM_SEPARATOR}${item.name}`,
        })),
    };
  });

  const callTool: ProxySession["callTool"] = async (params, signal, onprogress) => {
    const found = upstreams.resolve(params.name);
    if (found === undefined) return { result: toolError(`unknown tool ${params.name}`) };
    const { upstream, name } = found;
    const args = params.arguments ?? {};
    const targets = callTargets(upstream.name, name, upstream.config.tools?.[name], args);
    const asked = origin({
      server: upstream.name,
      method: "tools/call",
      tool: name,
      ...recordedArguments(args, config.redactArguments),
    });
    const refusal = await refused(targets, asked, `call ${upstream.name}/${name}`);
    if (refusal !== undefined) return { result: toolError(refusal.text, refusal.accessRequestId) };
    return hub.during(session, upstream, () =>
      upstream.caller.call({ ...params, name }, { timeout, signal, onprogress }),
    );
  };

  server.setRequestHandler(
    CallToolRequestSchema,
    async (request, extra): Promise<CallToolResult> => {
      // The server's progress goes to the client under the client's token.
      const progressToken = request.params._meta?.progressToken;
      const onprogress =
        progressToken === undefined
          ? undefined
          : (progress: Progress) =>
              void extra.sendNotification({
                method: "notifications/progress",
                params: { ...progress, progressToken },
              });
      const answer = await callTool(request.params, extra.signal, onprogress);
      if ("error" in answer) throw new RelayedError(answer.error);
      return answer.result as CallToolResult;
    },
  );

  server.setRequestHandler(ListResourcesRequestSchema, async (_request, extra) => {
    const listed = await collect(upstreams, "resources", async (u, cursor) => {
      const page = await u.client.listResources(cursor === undefined ? {} : { cursor }, {
        timeout,
        signal: extra.signal,
      });
      return { items: page.resources, nextCursor: page.nextCursor };
    });
    const targets = listed.map(({ upstream, item }) =>
      usable(namedTarget(RESOURCE_TYPE, upstream.name, item.uri)),
    );
    const origins = listed.map(({ upstream, item }) =>
      origin({ server: upstream.name, method: "resources/list", uri: item.uri }),
    );
    const allowed = await authorizer.listable(identity, targets, origins);
    for (const { upstream, item } of listed) resourceServers.set(item.uri, upstream);
    return { resources: listed.filter((_, i) => allowed[i]).map(({ item }) => item) };
  });

  // Templates name no resource: what they expand to is checked when it is read.
  server.setRequestHandler(ListResourceTemplatesRequestSchema, async (_request, extra) => {
    const listed = await collect(upstreams, "resources", async (u, cursor) => {
      const page = await u.client.listResourceTemplates(cursor === undefined ? {} : { cursor }, {
        timeout,
        signal: extra.signal,
      });
      return { items: page.resourceTemplates, nextCursor: page.nextCursor };
    });
    for (const { upstream, item } of listed) templateServers.set(item.uriTemplate, upstream);
    return { resourceTemplates: listed.map(({ item }) => item) };
  });

  server.setRequestHandler(ReadResourceRequestSchema, async (request, extra) => {
    const { uri } = request.params;
    const upstream = await readable(resourceServers, uri, "resources/read");
    return hub.during(session, upstream, () =>
      upstream.client.readResource(request.params, { timeout, signal: extra.signal }),
    );
  });

  server.setRequestHandler(SubscribeRequestSchema, async (request) => {
    const { uri } = request.params;
    const upstream = await readable(resourceServers, uri, "resources/subscribe");
    if (upstream.client.getServerCapabilities()?.resources?.subscribe !== true)
      throw new McpError(ErrorCode.InvalidRequest, `server ${upstream.name} has no subscriptions`);
    await hub.subscriptions.subscribe(session, upstream, uri);
    return {};
  });

  // Unsubscribing only narrows what the session gets: nothing to check.
  server.setRequestHandler(UnsubscribeRequestSchema, async (request) => {
    const { uri } = request.params;
    const upstream = resourceServers.get(uri) ?? soleServerWith(upstreams, "resources");
    if (upstream !== undefined) await hub.subscriptions.unsubscribe(session, upstream, uri);
    return {};
  });

  server.setRequestHandler(ListPromptsRequestSchema, async (_request, extra) => {
    const listed = await collect(upstreams, "prompts", async (u, cursor) => {
      const page = await u.client.listPrompts(cursor === undefined ? {} : { cursor }, {
        timeout,
        signal: extra.signal,
      });
      return { items: page.prompts, nextCursor: page.nextCursor };
    });
    const targets = listed.map(({ upstream, item }) =>
      usable(namedTarget(PROMPT_TYPE, upstream.name, item.name)),
    );
    const origins = listed.map(({ upstream, item }) =>
      origin({ server: upstream.name, method: "prompts/list", prompt: item.name }),
    );
    const allowed = await authorizer.listable(identity, targets, origins);
    return {
      prompts: listed
        .filter((_, i) => allowed[i])
        .map(({ upstream, item }) => ({
          ...item,
          name: `${upstream.name}${UPSTREAM_SEPARATOR}${item.name}`,
        })),
    };
  });

  server.setRequestHandler(GetPromptRequestSchema, async (request, extra) => {
    const { upstream, name } = await gettable(request.params.name, "prompts/get", {
      ...recordedArguments(request.params.arguments ?? {}, config.redactArguments),
    });
    return hub.during(session, upstream, () =>
      upstream.client.getPrompt({ ...request.params, name }, { timeout, signal: extra.signal }),
    );
  });

  // A completion shows what a prompt or resource holds: checked as its get or read.
  if (capabilities.completions !== undefined) {
    server.setRequestHandler(CompleteRequestSchema, async (request, extra) => {
      const { ref, argument } = request.params;
      const options = { timeout, signal: extra.signal };
      if (ref.type === "ref/prompt") {
        const { upstream, name } = await gettable(ref.name, "completion/complete", {
          argument: argument.name,
        });
        return upstream.client.complete({ ...request.params, ref: { ...ref, name } }, options);
      }
      const upstream = await readable(templateServers, ref.uri, "completion/complete");
      return upstream.client.complete(request.params, options);
    });
  }

  // Which roots a server is told is the session's calling it: every server asks again.
  server.setNotificationHandler(RootsListChangedNotificationSchema, () => hub.rootsChanged());

  if (capabilities.logging !== undefined) {
    server.setRequestHandler(SetLevelRequestSchema, async (request) => {
      await hub.setLevel(session, request.params.level);
      return {};
    });
  }

  /** readable is the server of uri (from listed, else the only one with resources), once Latch lets the chain read it. */
  const readable = async (
    listed: ReadonlyMap<string, Upstream>,
    uri: string,
    method: string,
  ): Promise<Upstream> => {
    const upstream = listed.get(uri) ?? soleServerWith(upstreams, "resources");
    if (upstream === undefined)
      throw new McpError(ErrorCode.InvalidParams, `unknown resource ${uri}: list resources first`);
    const refusal = await refused(
      usableList(namedTarget(RESOURCE_TYPE, upstream.name, uri)),
      origin({ server: upstream.name, method, uri }),
      `${method === "resources/read" ? "read" : method} ${uri}`,
    );
    if (refusal !== undefined) throw new McpError(ErrorCode.InvalidRequest, refusal.text);
    return upstream;
  };

  /** gettable is the server and own name of a listed prompt, once Latch lets the chain get it. */
  const gettable = async (
    listed: string,
    method: string,
    recorded: Record<string, JsonValue>,
  ): Promise<{ upstream: Upstream; name: string }> => {
    const found = upstreams.resolve(listed);
    if (found === undefined)
      throw new McpError(ErrorCode.InvalidParams, `unknown prompt ${listed}`);
    const { upstream, name } = found;
    const asked = origin({ server: upstream.name, method, prompt: name, ...recorded });
    const refusal = await refused(
      usableList(namedTarget(PROMPT_TYPE, upstream.name, name)),
      asked,
      `${method === "prompts/get" ? "get prompt" : method} ${upstream.name}/${name}`,
    );
    if (refusal !== undefined) throw new McpError(ErrorCode.InvalidRequest, refusal.text);
    return found;
  };

  /** refused is why Latch refuses targets, with the access request made for it; undefined when it allows. */
  const refused = async (
    targets: CheckTarget[] | TargetProblem,
    asked: JsonObject,
    what: string,
  ): Promise<{ text: string; accessRequestId?: string } | undefined> => {
    if ("problem" in targets) return { text: `denied: ${targets.problem}` };
    const chain = [...identity.actors].reverse().join(" for ");
    const verdict = await authorizer.authorize(
      identity,
      targets,
      asked,
      `MCP gateway: ${chain} for ${identity.subject} asked to ${what}`,
    );
    if (verdict.allowed) return undefined;
    if (verdict.accessRequestId === undefined) return { text: verdict.reason };
    return {
      text: `${verdict.reason}; access request ${verdict.accessRequestId} awaits approval (retry once it is approved)`,
      accessRequestId: verdict.accessRequestId,
    };
  };

  return { server, callTool };
}

/**
 * RelayedError is a server's JSON-RPC error to a call, thrown so that the SDK server answers the
 * client with it unchanged: its code, message and data.
 */
export class RelayedError extends Error {
  readonly code: number;
  readonly data: unknown;
  constructor(error: RpcError) {
    super(error.message);
    this.name = "RelayedError";
    this.code = error.code;
    this.data = error.data;
  }
}

/** collect reads the lists of every server with capability, page by page, each item with its server. */
async function collect<Item>(
  upstreams: Upstreams,
  capability: "tools" | "resources" | "prompts",
  page: (
    upstream: Upstream,
    cursor: string | undefined,
  ) => Promise<{ items: Item[]; nextCursor?: string | undefined }>,
): Promise<{ upstream: Upstream; item: Item }[]> {
  const lists = await Promise.all(
    upstreams.all
      .filter((u) => u.client.getServerCapabilities()?.[capability] !== undefined)
      .map(async (upstream) => {
        const items: { upstream: Upstream; item: Item }[] = [];
        let cursor: string | undefined;
        for (let n = 0; n < MAX_LIST_PAGES; n++) {
          const got = await page(upstream, cursor);
          for (const item of got.items) items.push({ upstream, item });
          cursor = got.nextCursor;
          if (cursor === undefined) break;
        }
        return items;
      }),
  );
  return lists.flat();
}

function soleServerWith(upstreams: Upstreams, capability: "resources"): Upstream | undefined {
  const with_ = upstreams.all.filter(
    (u) => u.client.getServerCapabilities()?.[capability] !== undefined,
  );
  return with_.length === 1 ? with_[0] : undefined;
}

function usable(target: CheckTarget | TargetProblem): CheckTarget | undefined {
  return "problem" in target ? undefined : target;
}

function usableList(target: CheckTarget | TargetProblem): CheckTarget[] | TargetProblem {
  return "problem" in target ? target : [target];
}

/**
 * recordedArguments are the arguments as the decision log keeps them: the values of the keys
 * configured in `redactArguments` replaced, and all of them left out (saying why) when they are
 * more than a decision's origin may hold.
 */
function recordedArguments(
  args: Readonly<Record<string, unknown>>,
  redact: readonly string[],
): Record<string, JsonValue> {
  const kept: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(args))
    kept[key] = redact.includes(key) ? REDACTED : (value as JsonValue);
  const issue = checkContext({ arguments: kept });
  return issue === undefined ? { arguments: kept } : { arguments: `omitted: ${issue.problem}` };
}

function toolError(text: string, accessRequestId?: string): CallToolResult {
  return {
    content: [{ type: "text", text }],
    isError: true,
    ...(accessRequestId === undefined
      ? {}
      : { _meta: { "latch/accessRequestId": accessRequestId } }),
  };
}
