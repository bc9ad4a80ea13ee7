// The MCP servers behind the gateway: one SDK client each, over stdio (a command) or Streamable HTTP (a URL).

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import {
  getDefaultEnvironment,
  StdioClientTransport,
} from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { UpstreamConfig } from "./gateway-config.js";
import { createKeptAliveFetch } from "./http-fetch.js";
import { createHttpCaller, createStdioCaller, type UpstreamCaller } from "./upstream-calls.js";

/** UPSTREAM_SEPARATOR joins a server's name and a tool's or prompt's: `docs__read_document`. */
export const UPSTREAM_SEPARATOR = "__";

/**
 * Upstream is one connected server: its name, its configuration, the client speaking to it, and
 * the caller its tool calls go through (in the client's session, without its per-message work).
 */
export interface Upstream {
  readonly name: string;
  readonly config: UpstreamConfig;
  readonly client: Client;
  readonly caller: UpstreamCaller;
}

/** UpstreamError is a server the gateway could not reach at start. */
export class UpstreamError extends Error {
  readonly code = "upstream_unavailable";
  constructor(server: string, cause: unknown) {
    super(
      `server ${server}: cannot connect: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
    this.name = "UpstreamError";
  }
}

/**
 * Upstreams are the connected servers. The gateway's clients share them: a server sees the
 * gateway as its one client, whichever person and agent a call is for.
 */
export class Upstreams {
  private constructor(
    private readonly byName: ReadonlyMap<string, Upstream>,
    private readonly connections: readonly { close(): void }[],
  ) {}

  /** connect connects to every server within timeoutMs each, or closes those it reached and throws. */
  static async connect(
    servers: Readonly<Record<string, UpstreamConfig>>,
    timeoutMs: number,
  ): Promise<Upstreams> {
    const connected = new Map<string, Upstream>();
    const connections: { close(): void }[] = [];
    try {
      for (const [name, config] of Object.entries(servers)) {
        // What the gateway can pass on to a client calling; see SessionHub for to whom.
        const client = new Client(
          { name: "latch-mcp-gateway", version: "1" },
          {
            capabilities: {
              sampling: {},
              elicitation: { form: {}, url: {} },
              roots: { listChanged: true },
            },
          },
        );
        let transport: StdioClientTransport | StreamableHTTPClientTransport;
        if (config.command !== undefined) {
          transport = new StdioClientTransport({
            command: config.command[0]!,
            args: config.command.slice(1),
            env: { ...getDefaultEnvironment(), ...config.env },
            stderr: "inherit",
          });
        } else {
          // Connections of its own per server, kept alive from call to call.
          const kept = createKeptAliveFetch();
          connections.push(kept);
          transport = new StreamableHTTPClientTransport(new URL(config.url!), {
            fetch: kept.fetch,
          });
        }
        try {
          await client.connect(transport, { timeout: timeoutMs });
        } catch (error) {
          await client.close();
          throw new UpstreamError(name, error);
        }
        const caller =
          transport instanceof StreamableHTTPClientTransport
            ? createHttpCaller(name, new URL(config.url!), client, transport)
            : createStdioCaller(name, client, transport);
        connections.push(caller);
        connected.set(name, { name, config, client, caller });
      }
    } catch (error) {
      await Promise.allSettled([...connected.values()].map((u) => u.client.close()));
      for (const connection of connections) connection.close();
      throw error;
    }
    return new Upstreams(connected, connections);
  }

  /** all are the servers, in the configuration's order. */
  get all(): Upstream[] {
    return [...this.byName.values()];
  }

  /** resolve splits a listed name (`docs__read`) into its server and the server's own name. */
  resolve(listed: string): { upstream: Upstream; name: string } | undefined {
    const at = listed.indexOf(UPSTREAM_SEPARATOR);
    if (at < 0) return undefined;
    const upstream = this.byName.get(listed.slice(0, at));
    return upstream === undefined
      ? undefined
      : { upstream, name: listed.slice(at + UPSTREAM_SEPARATOR.length) };
  }

  /** close ends every connection (and stops the servers run as commands). */
  async close(): Promise<void> {
    await Promise.allSettled(this.all.map((u) => u.client.close()));
    for (const connection of this.connections) connection.close();
  }
}
