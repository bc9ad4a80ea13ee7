// Benchmark: what the MCP gateway adds to an allowed tools/call whose decision Latch has cached.
// The docs example server over Streamable HTTP; Latch on Postgres (PGlite without one), decision
// log async (the default). Rows, each measured in this run, sequentially after a warm-up:
//   direct   an MCP client calling the docs server itself (the floor);
//   check    the gateway's Check alone (agent for user, cached), over gRPC;
//   gateway  the same call through `latch mcp-gateway` (a process of its own): agent → gateway →
//            Latch Check → docs server.
// "overhead" is gateway less direct, at each percentile.
//   npm run bench:mcp [-- --calls N] [-- --json]

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ON_BEHALF_OF_HEADER } from "../../src/mcp-gateway/identity.js";
import {
  ASSISTANT_KEY,
  directClient,
  type GatewayRig,
  startRig,
} from "../mcp-gateway/integration/gateway-harness.js";

const MAIN = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
const args = process.argv.slice(2);
const json = args.includes("--json");
const calls = Number(args[args.indexOf("--calls") + 1] ?? 0) || 3000;
const WARM_UP = 300;

interface Row {
  readonly path: string;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly ratioP50: number;
}

async function timed(call: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < WARM_UP; i++) await call();
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    await call();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b);
}

const at = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

/** startGatewayProcess runs `latch mcp-gateway` with the rig's configuration; resolves its URL. */
async function startGatewayProcess(rig: GatewayRig, scratch: string) {
  const configFile = join(scratch, "gateway.yaml");
  writeFileSync(configFile, rig.yaml);
  const child = spawn(
    process.execPath,
    ["--import", "tsx", MAIN, "mcp-gateway", "--config", configFile],
    { env: { ...process.env, ...rig.gatewayEnv }, stdio: ["ignore", "inherit", "pipe"] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let log = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      log += chunk.toString();
      process.stderr.write(chunk);
      const found = / on (http:\S+)/.exec(log);
      if (found) resolve(found[1]!);
    });
    child.once("exit", (code) => reject(new Error(`latch mcp-gateway exited (${code}): ${log}`)));
  });
  return { child, url };
}

const rig = await startRig("http", "async");
const scratch = mkdtempSync(join(tmpdir(), "latch-mcp-bench-"));
try {
  const direct: Client = await directClient(rig.upstreamUrl!);
  const { child, url } = await startGatewayProcess(rig, scratch);
  const gateway = new Client({ name: "bench-agent", version: "1" });
  const headers = { authorization: `Bearer ${ASSISTANT_KEY}`, [ON_BEHALF_OF_HEADER]: "user:alice" };
  await gateway.connect(
    new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }),
  );
  const check = {
    resource: { type: "mcp_tool", id: "docs/list_documents" },
    permission: "call",
    subject: { object: { type: "user", id: "alice" } },
    actors: [{ object: { type: "agent", id: "assistant" } }],
  };
  const directTimes = await timed(() => direct.callTool({ name: "list_documents" }));
  const checkTimes = await timed(() => rig.latch.permissions.check(check));
  const gatewayTimes = await timed(() => gateway.callTool({ name: "docs__list_documents" }));
  await direct.close();
  await gateway.close();
  child.kill("SIGTERM");
  const floor = at(directTimes, 0.5);
  const row = (path: string, times: number[]): Row => ({
    path,
    p50Ms: Number(at(times, 0.5).toFixed(3)),
    p99Ms: Number(at(times, 0.99).toFixed(3)),
    ratioP50: Number((at(times, 0.5) / floor).toFixed(2)),
  });
  const rows = [row("direct", directTimes), row("check", checkTimes), row("gateway", gatewayTimes)];
  const overhead = {
    p50Ms: Number((at(gatewayTimes, 0.5) - at(directTimes, 0.5)).toFixed(3)),
    p99Ms: Number((at(gatewayTimes, 0.99) - at(directTimes, 0.99)).toFixed(3)),
  };
  if (json) {
    console.log(JSON.stringify({ calls, rows, overhead }));
  } else {
    console.log(
      `MCP gateway, an allowed tools/call with a cached decision: ${calls} calls per path`,
    );
    console.log("| path    | p50 ms  | p99 ms  | p50 ÷ direct |");
    console.log("| ------- | ------- | ------- | ------------ |");
    for (const r of rows) {
      const cells = [r.p50Ms.toFixed(3).padStart(7), r.p99Ms.toFixed(3).padStart(7)];
      console.log(
        `| ${r.path.padEnd(7)} | ${cells.join(" | ")} | ${r.ratioP50.toFixed(2).padStart(12)} |`,
      );
    }
    console.log(
      `overhead (gateway − direct): p50 ${overhead.p50Ms.toFixed(3)} ms, p99 ${overhead.p99Ms.toFixed(3)} ms (target: p99 ≤ 2 ms)`,
    );
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
  await rig.close();
}
