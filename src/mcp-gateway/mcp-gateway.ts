// The MCP gateway, whole: its servers connected, Latch as its authority, served over HTTP or stdio.

import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { Authorizer, type LatchApi } from "./authorizer.js";
import type { GatewayConfig } from "./gateway-config.js";
import { createMcpHttpHandler, MCP_PATH, type McpHttpHandler } from "./gateway-http.js";
import { type Credentials, createIdentityResolver } from "./identity.js";
import { createProxySession, type SessionSettings } from "./proxy-session.js";
import { SessionHub } from "./session-hub.js";
import { Upstreams } from "./upstreams.js";

/** How long a client has to send a request's headers, and the whole request. */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 60_000;

/** GatewayOptions are what a gateway runs with: its configuration, Latch's API, the environment (for secrets). */
export interface GatewayOptions {
  readonly config: GatewayConfig;
  readonly latch: LatchApi;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Gateway is a running gateway: the HTTP handler to mount, and what closes it with its servers. */
export interface Gateway {
  readonly http: McpHttpHandler;
  close(): Promise<void>;
}

/** openGateway connects to every configured server and readies the HTTP handler. */
export async function openGateway(options: GatewayOptions): Promise<Gateway> {
  const resolve = createIdentityResolver(options.config.identity, options.env);
  const settings = await sessionSettings(options);
  const http = createMcpHttpHandler(resolve, settings);
  return {
    http,
    close: async () => {
      await http.close();
      await settings.upstreams.close();
    },
  };
}

/**
 * listenGateway serves gateway on its own port (`listen` in the configuration; 127.0.0.1 by
 * default), MCP at {@link MCP_PATH}, and returns the URL it serves.
 */
export async function listenGateway(
  gateway: Gateway,
  config: GatewayConfig,
): Promise<{ url: string; server: HttpServer }> {
  const server = createServer((request, response) => {
    // Clients ask for the path as it is: parsed only when it is not.
    const path =
      request.url === MCP_PATH ? MCP_PATH : new URL(request.url ?? "/", "http://gateway").pathname;
    if (path !== MCP_PATH) {
      response.writeHead(404).end();
      return;
    }
    gateway.http.handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { "content-type": "text/plain" });
      response.end(error instanceof Error ? error.message : String(error));
    });
  });
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.listen.port, config.listen.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const host = config.listen.host.includes(":") ? `[${config.listen.host}]` : config.listen.host;
  return { url: `http://${host}:${port}${MCP_PATH}`, server };
}

/** StdioGateway is a gateway serving one client on stdio: closed when the client goes. */
export interface StdioGateway {
  readonly closed: Promise<void>;
  close(): Promise<void>;
}

/**
 * serveStdio serves one local client on this process's stdin and stdout, as the identity
 * credentials resolve to (the agent key or JWT its launcher gave), until stdin closes.
 */
export async function serveStdio(
  options: GatewayOptions,
  credentials: Credentials,
): Promise<StdioGateway> {
  const identity = await createIdentityResolver(options.config.identity, options.env)(credentials);
  const settings = await sessionSettings(options);
  const { server } = createProxySession(identity, settings);
  const closed = new Promise<void>((resolve) => {
    const leave = server.onclose;
    server.onclose = () => {
      leave?.();
      resolve();
    };
  }).then(() => settings.upstreams.close());
  await server.connect(new StdioServerTransport());
  return {
    closed,
    close: async () => {
      await server.close();
      await closed;
    },
  };
}

async function sessionSettings(options: GatewayOptions): Promise<SessionSettings> {
  const { config, latch } = options;
  const upstreams = await Upstreams.connect(config.servers, config.limits.callTimeoutMs);
  const authorizer = new Authorizer(latch, config.accessRequests.durationMinutes);
  return {
    upstreams,
    authorizer,
    hub: new SessionHub(upstreams, authorizer, config.limits.callTimeoutMs),
    config,
  };
}
