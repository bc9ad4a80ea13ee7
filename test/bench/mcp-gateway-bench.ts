// Benchmark: what the MCP gateway adds to an allowed tools/call whose decision Latch has cached.
// The docs example server over Streamable HTTP; Latch on Postgres (PGlite without one), decision
// log async (the default). Rows, each measured in this run, the paths taking turns after a warm-up:
//   direct   an MCP client calling the docs server itself (the floor);
//   check    the gateway's Check alone (agent for user, cached), over gRPC;
//   gateway  the same call through `latch mcp-gateway` (a process of its own): agent → gateway →
//            Latch Check → docs server.
// "overhead" is gateway less direct, at each percentile; below it, the gateway process's CPU time
// per call, a number the machine's other load disturbs far less than latencies.
//   npm run bench:mcp [-- --calls N] [-- --json] [-- --cpu-prof DIR]
// --cpu-prof writes the gateway process's CPU profile into DIR, to read where its time goes.

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { createKeptAliveFetch } from "../../src/mcp-gateway/http-fetch.js";
import { ON_BEHALF_OF_HEADER } from "../../src/mcp-gateway/identity.js";
import {
  ASSISTANT_KEY,
  type GatewayRig,
  startRig,
} from "../mcp-gateway/integration/gateway-harness.js";
import { clockTicksPerSecond, cpuTicks } from "./server-bench-cpu.js";

const MAIN = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
const args = process.argv.slice(2);
const json = args.includes("--json");
const calls = Number(args[args.indexOf("--calls") + 1] ?? 0) || 3000;
const profileDir = args.includes("--cpu-prof") ? args[args.indexOf("--cpu-prof") + 1] : undefined;
const WARM_UP = 300;

interface Row {
  readonly path: string;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly ratioP50: number;
}

/** ROUNDS: the paths take turns, calls / ROUNDS each a turn, so that each sees the machine's same load. */
const ROUNDS = 10;

/** timedInTurns times each path's calls, the paths in turns after a warm-up of each; sorted times per path. */
async function timedInTurns<const Paths extends readonly (() => Promise<unknown>)[]>(
  paths: Paths,
): Promise<{ [P in keyof Paths]: number[] }> {
  for (const call of paths) for (let i = 0; i < WARM_UP; i++) await call();
  const times = paths.map((): number[] => []);
  const turn = Math.ceil(calls / ROUNDS);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [p, call] of paths.entries()) {
      for (let i = 0; i < turn; i++) {
        const started = performance.now();
        await call();
        times[p]!.push(performance.now() - started);
      }
    }
  }
  return times.map((t) => t.sort((a, b) => a - b)) as { [P in keyof Paths]: number[] };
}

const at = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

/** startGatewayProcess runs `latch mcp-gateway` with the rig's configuration; resolves its URL. */
async function startGatewayProcess(rig: GatewayRig, scratch: string) {
  const configFile = join(scratch, "gateway.yaml");
  writeFileSync(configFile, rig.yaml);
  const child = spawn(
    process.execPath,
    [
      ...(profileDir === undefined ? [] : ["--cpu-prof", "--cpu-prof-dir", profileDir]),
      "--import",
      "tsx",
      MAIN,
      "mcp-gateway",
      "--config",
      configFile,
    ],
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
  // Both clients over kept-alive connections, as the gateway's own upstream client: the global
  // fetch leaves an abort listener per call on the transport's signal (thousands, and a warning).
  const connections = [createKeptAliveFetch(), createKeptAliveFetch()];
  const direct = new Client({ name: "bench-direct", version: "1" });
  await direct.connect(
    new StreamableHTTPClientTransport(new URL(rig.upstreamUrl!), { fetch: connections[0]!.fetch }),
  );
  const { child, url } = await startGatewayProcess(rig, scratch);
  const gateway = new Client({ name: "bench-agent", version: "1" });
  const headers = { authorization: `Bearer ${ASSISTANT_KEY}`, [ON_BEHALF_OF_HEADER]: "user:alice" };
  await gateway.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers },
      fetch: connections[1]!.fetch,
    }),
  );
  const check = {
    resource: { type: "mcp_tool", id: "docs/list_documents" },
    permission: "call",
    subject: { object: { type: "user", id: "alice" } },
    actors: [{ object: { type: "agent", id: "assistant" } }],
  };
  const gatewayTicks = cpuTicks(child.pid!);
  const [directTimes, checkTimes, gatewayTimes] = await timedInTurns([
    () => direct.callTool({ name: "list_documents" }),
    () => rig.latch.permissions.check(check),
    () => gateway.callTool({ name: "docs__list_documents" }),
  ]);
  // What the gateway process spent per call (its warm-up included), whatever else the machine ran.
  const gatewayCpuMs = Number(
    (
      (((cpuTicks(child.pid!) - gatewayTicks) / clockTicksPerSecond()) * 1000) /
      (calls + WARM_UP)
    ).toFixed(3),
  );
  await direct.close();
  await gateway.close();
  for (const connection of connections) connection.close();
  // Awaited: the gateway writes its profile as it exits.
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
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
    console.log(JSON.stringify({ calls, rows, overhead, gatewayCpuMs }));
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
    console.log(`gateway process CPU per call: ${gatewayCpuMs.toFixed(3)} ms`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
  await rig.close();
}
