// A Latch on Postgres with the decision log on, the example docs MCP server over stdio or HTTP, and
// the gateway in front of it: what the gateway tests and the benchmark run against.

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { ClientCapabilities } from "@modelcontextprotocol/sdk/types.js";
import { type ApiKey, ApiKeyRing, hashApiKey } from "../../../src/api/api-keys.js";
import { type LatchServer, startServer } from "../../../src/api/latch-server.js";
import {
  createLatchClient,
  createUnaryLatchClient,
  type LatchClient,
} from "../../../src/cli/client.js";
import type { LatchApi } from "../../../src/mcp-gateway/authorizer.js";
import { parseGatewayConfig } from "../../../src/mcp-gateway/gateway-config.js";
import { inProcessLatch } from "../../../src/mcp-gateway/in-process-latch.js";
import { type Gateway, listenGateway, openGateway } from "../../../src/mcp-gateway/mcp-gateway.js";
import { runLatch } from "../../cli/run-cli-helper.js";
import { DECISION_STORES, type OpenedStore } from "../../decisions/integration/decision-stores.js";

/** DOCS_SERVER is the example MCP server the gateway fronts. */
export const DOCS_SERVER = fileURLToPath(
  new URL("../../../examples/mcp-gateway/docs-server.ts", import.meta.url),
);

/** The agents' keys, as their clients present them to the gateway. */
export const ASSISTANT_KEY = "ak_assistant-secret";
export const INTERN_KEY = "ak_intern-secret";
/** The gateway's shared JWT key, in the environment variable the configuration names. */
export const JWT_SECRET = "a-test-secret-of-more-than-32-characters";

const ADMIN = "lk_admin-secret";
const GATEWAY = "lk_gateway-secret";
const KEYS: ApiKey[] = [
  { name: "admin", sha256: hashApiKey(ADMIN), scopes: ["admin"] },
  { name: "gateway", sha256: hashApiKey(GATEWAY), scopes: ["check", "read", "write"] },
];

/** SCHEMA has the gateway's types, a document type for argument-mapped checks, and a caveat. */
export const SCHEMA = `use expiration

caveat customer_region(region string, allowed_regions list<string>) {
  region in allowed_regions
}

definition user {}

definition agent {
  relation principal: user | agent
  permission act_for = principal
}

definition mcp_tool {
  relation caller: user | agent | agent with expiration | user with customer_region
  permission call = caller
}

definition mcp_resource {
  relation reader: user | agent
  permission read = reader
}

definition mcp_prompt {
  relation getter: user | agent
  permission get = getter
}

definition document {
  relation viewer: user | agent
  permission view = viewer
}
`;

/**
 * RELATIONSHIPS: the assistant and the intern act for alice, and the intern for the assistant;
 * alice may delete, her agents may not.
 */
export const RELATIONSHIPS = [
  "agent:assistant#principal@user:alice",
  "agent:intern#principal@user:alice",
  "agent:intern#principal@agent:assistant",
  "mcp_tool:docs/list_documents#caller@user:alice",
  "mcp_tool:docs/list_documents#caller@agent:assistant",
  "mcp_tool:docs/list_documents#caller@agent:intern",
  "mcp_tool:docs/read_document#caller@user:alice",
  "mcp_tool:docs/read_document#caller@agent:assistant",
  "mcp_tool:docs/delete_document#caller@user:alice",
  "document:roadmap#viewer@user:alice",
  "document:roadmap#viewer@agent:assistant",
  "mcp_resource:docs/docs=3A=2F=2Findex#reader@user:alice",
  "mcp_resource:docs/docs=3A=2F=2Findex#reader@agent:assistant",
  "mcp_prompt:docs/summarize#getter@user:alice",
];

/** gatewayYaml is the configuration of a gateway in front of the docs server at `upstream`. */
export function gatewayYaml(upstream: string): string {
  return `identity:
  agentKeys:
    - agent: agent:assistant
      sha256: ${hashApiKey(ASSISTANT_KEY)}
    - agent: agent:intern
      sha256: ${hashApiKey(INTERN_KEY)}
  jwt:
    secretEnv: GATEWAY_JWT_SECRET
listen:
  port: 0
servers:
  docs:
${upstream}
    tools:
      read_document:
        resource: { type: document, idArgument: document_id }
        permission: view
redactArguments: [secret]
`;
}

/** Upstream is how the gateway reaches the docs server: it runs it over stdio, or calls it over HTTP. */
export type UpstreamKind = "stdio" | "http";

/**
 * GatewayMode is how the gateway asks Latch: as `latch mcp-gateway` does, over gRPC
 * ("standalone"), or as the gateway of `latch serve` does, in process ("serve").
 */
export type GatewayMode = "standalone" | "serve";

/** GatewayRig is everything running, and what the tests call through. */
export interface GatewayRig {
  /** The gateway's MCP endpoint. */
  readonly url: string;
  /** The docs server's own endpoint when it serves HTTP. */
  readonly upstreamUrl: string | undefined;
  /** The admin's client of Latch. */
  readonly latch: LatchClient;
  /** The gateway's configuration, and the environment it runs in (Latch's endpoint, its key, the JWT key). */
  readonly yaml: string;
  readonly gatewayEnv: Readonly<Record<string, string>>;
  /** latchCli runs a `latch` command as the admin. */
  latchCli(...args: string[]): Promise<string>;
  /** calls are the tools the docs server ran, in order. */
  calls(): string[];
  /** connect is an MCP client of the gateway with these headers, and these capabilities. */
  connect(headers: Record<string, string>, capabilities?: ClientCapabilities): Promise<Client>;
  /** another is a second gateway in front of the same server, its `limits` these. */
  another(limits: string): Promise<{ url: string; connect: GatewayRig["connect"] }>;
  /** fronting is a second gateway in front of the server at url, named docs as the first. */
  fronting(url: string): Promise<{ url: string; connect: GatewayRig["connect"] }>;
  close(): Promise<void>;
}

/**
 * startRig starts Latch (its decision log in `decisions` mode: sync, so that tests read a call's
 * record as soon as it returns), the docs server (over `kind`) and the gateway (in `mode`).
 */
export async function startRig(
  kind: UpstreamKind,
  decisions: "sync" | "async" = "sync",
  mode: GatewayMode = "standalone",
): Promise<GatewayRig> {
  const { open } = [...DECISION_STORES].reverse().find((s) => s.open !== undefined)!;
  const scratch = mkdtempSync(join(tmpdir(), "latch-mcp-"));
  const callLog = join(scratch, "calls.log");
  const undo: (() => Promise<unknown>)[] = [];
  try {
    const opened: OpenedStore = await open!();
    undo.push(() => opened.close());
    const server: LatchServer = await startServer({
      store: opened.store,
      keys: new ApiKeyRing(KEYS),
      host: "127.0.0.1",
      grpcPort: 0,
      httpPort: 0,
      onInternalError: (method, error) => {
        throw new Error(`internal error in ${method}: ${String(error)}`);
      },
      log: () => {},
      requestable: ["mcp_tool#caller"],
      decisions: {
        database: opened.store.database,
        settings: { mode: decisions, retentionMs: 86_400_000, redactKeys: [] },
      },
    });
    undo.push(() => server.close(500));
    const endpoint = `127.0.0.1:${server.grpcPort}`;
    const adminEnv = { LATCH_ENDPOINT: endpoint, LATCH_TOKEN: ADMIN };
    const latch = createLatchClient(adminEnv);
    undo.push(async () => latch.close());
    const latchCli = async (...args: string[]) => {
      const run = await runLatch(args, { "schema.zed": SCHEMA }, { env: adminEnv });
      if (run.exitCode !== 0) throw new Error(`latch ${args.join(" ")}: ${run.stderr}`);
      return run.stdout;
    };
    await latchCli("schema", "write", "schema.zed");
    await latchCli("rel", "touch", ...RELATIONSHIPS);

    let upstream: string;
    let upstreamUrl: string | undefined;
    if (kind === "stdio") {
      upstream = `    command: [${JSON.stringify(process.execPath)}, --import, tsx, ${JSON.stringify(DOCS_SERVER)}]
    env: { MCP_CALL_LOG: ${JSON.stringify(callLog)} }`;
    } else {
      const docs = await startDocsOverHttp(callLog);
      undo.push(async () => docs.child.kill());
      upstreamUrl = docs.url;
      upstream = `    url: ${docs.url}`;
    }
    const yaml = gatewayYaml(upstream);
    const gatewayEnv = {
      LATCH_ENDPOINT: endpoint,
      LATCH_TOKEN: GATEWAY,
      GATEWAY_JWT_SECRET: JWT_SECRET,
    };
    let gatewayLatch: LatchApi;
    if (mode === "serve") gatewayLatch = inProcessLatch(server, GATEWAY);
    else {
      const client = createUnaryLatchClient(gatewayEnv);
      undo.push(async () => client.close());
      gatewayLatch = client;
    }
    const serve = async (text: string) => {
      const config = parseGatewayConfig("gateway.yaml", text);
      const gateway: Gateway = await openGateway({ config, latch: gatewayLatch, env: gatewayEnv });
      undo.push(() => gateway.close());
      const listening = await listenGateway(gateway, config);
      undo.push(() => new Promise((resolve) => listening.server.close(resolve)));
      const clients: Client[] = [];
      undo.push(() => Promise.allSettled(clients.map((c) => c.close())));
      const connect: GatewayRig["connect"] = async (headers, capabilities = {}) => {
        const client = new Client({ name: "test-agent", version: "1" }, { capabilities });
        await client.connect(
          new StreamableHTTPClientTransport(new URL(listening.url), { requestInit: { headers } }),
        );
        clients.push(client);
        return client;
      };
      return { url: listening.url, connect };
    };
    const first = await serve(yaml);
    return {
      url: first.url,
      upstreamUrl,
      latch,
      yaml,
      gatewayEnv,
      latchCli,
      calls: () => {
        try {
          return readFileSync(callLog, "utf8").split("\n").slice(0, -1);
        } catch {
          return [];
        }
      },
      connect: first.connect,
      another: (limits) => serve(`${yaml}limits: ${limits}\n`),
      fronting: (url) => serve(gatewayYaml(`    url: ${url}`)),
      close: () => closeAll(undo, scratch),
    };
  } catch (error) {
    await closeAll(undo, scratch);
    throw error;
  }
}

async function closeAll(undo: (() => Promise<unknown>)[], scratch: string): Promise<void> {
  for (const step of undo.reverse()) await step().catch(() => {});
  rmSync(scratch, { recursive: true, force: true });
}

/** startDocsOverHttp runs the docs server on a free port and waits for the line naming its URL. */
export async function startDocsOverHttp(
  callLog: string,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", DOCS_SERVER, "--http", "0"], {
    env: { ...process.env, MCP_CALL_LOG: callLog },
    stdio: ["ignore", "ignore", "pipe"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let log = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      log += chunk.toString();
      const found = /on (http:\S+)/.exec(log);
      if (found) resolve(found[1]!);
    });
    child.once("exit", (code) => reject(new Error(`the docs server exited (${code}): ${log}`)));
  });
  return { child, url };
}

/** directClient is an MCP client of the docs server itself, over HTTP, bypassing the gateway. */
export async function directClient(url: string): Promise<Client> {
  const client = new Client({ name: "direct", version: "1" });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

/** stdioDirectClient runs the docs server over stdio for a client of its own. */
export async function stdioDirectClient(): Promise<Client> {
  const client = new Client({ name: "direct", version: "1" });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: ["--import", "tsx", DOCS_SERVER],
      stderr: "ignore",
    }),
  );
  return client;
}
