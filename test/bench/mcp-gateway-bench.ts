// Benchmark: what the MCP gateway adds to an allowed tools/call whose decision Latch has cached.
// The docs example server over Streamable HTTP; Latch on Postgres (PGlite without one), decision
// log async (the default). Rows, each measured in this run, the paths taking turns after a warm-up:
//   direct   an MCP client calling the docs server itself (the floor);
//   check    the gateway's Check alone (agent for user, cached), over gRPC;
//   standalone  the same call through `latch mcp-gateway` (a process of its own): agent → gateway
//            → Latch Check over gRPC → docs server;
//   serve    the same call through the gateway of `latch serve --mcp-gateway` (Latch and the
//            gateway in one process, on Postgres, its own database): the Check in process.
// "overhead" is a gateway less direct, at each percentile; beside it, the gateway's process's CPU
// time per call, a number the machine's other load disturbs far less than latencies (serve's
// includes the Check, which the standalone gateway's Latch spends in this process).
//   npm run bench:mcp [-- --calls N] [-- --json] [-- --cpu-prof DIR] [-- --cli CLI] [-- --baseline CLI]
// --cpu-prof writes the gateway processes' CPU profiles into DIR, to read where their time goes.
// --cli runs the gateways from a built CLI (`dist/cli/main.js`) rather than the sources through tsx.
// --baseline runs both gateways from another build's CLI (`../main/dist/cli/main.js`) too, as
// paths (`base standalone`, `base serve`) taking their turns with the others: an A/B of two builds
// under the same load.

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { createKeptAliveFetch, type KeptAliveFetch } from "../../src/mcp-gateway/http-fetch.js";
import { ON_BEHALF_OF_HEADER } from "../../src/mcp-gateway/identity.js";
import { runLatch } from "../cli/run-cli-helper.js";
import {
  ASSISTANT_KEY,
  type GatewayRig,
  RELATIONSHIPS,
  SCHEMA,
  startRig,
} from "../mcp-gateway/integration/gateway-harness.js";
import { createTestDatabase, findPostgres } from "../store/postgres/test-database.js";
import { clockTicksPerSecond, cpuTicks } from "./server-bench-cpu.js";

const MAIN = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
const args = process.argv.slice(2);
const json = args.includes("--json");
const calls = Number(args[args.indexOf("--calls") + 1] ?? 0) || 3000;
const profileDir = args.includes("--cpu-prof") ? args[args.indexOf("--cpu-prof") + 1] : undefined;
const baselineCli = args.includes("--baseline") ? args[args.indexOf("--baseline") + 1] : undefined;
const cli = args.includes("--cli") ? args[args.indexOf("--cli") + 1]! : MAIN;
/**
 * WARM_UP is how many calls each path makes before any is timed. V8 optimizes the gateway's code
 * over its first thousands of calls, compiling as it goes; a gateway that has served for a while
 * runs it optimized. After 300 calls, serve's timed calls cost its process about twice the CPU
 * they cost after 6,000.
 */
const WARM_UP = 6000;

interface Row {
  readonly path: string;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly ratioP50: number;
}

/** ROUNDS: the paths take turns, calls / ROUNDS each a turn, so that each sees the machine's same load. */
const ROUNDS = 10;

/** TURN is how many calls a path makes in its turn. */
const TURN = Math.ceil(calls / ROUNDS);

/** warmUp makes each path's {@link WARM_UP} calls, one path after the other. */
async function warmUp(paths: readonly (() => Promise<unknown>)[]): Promise<void> {
  for (const call of paths) for (let i = 0; i < WARM_UP; i++) await call();
}

/** timedInTurns times each path's calls, the paths in turns; sorted times per path. */
async function timedInTurns<const Paths extends readonly (() => Promise<unknown>)[]>(
  paths: Paths,
): Promise<{ [P in keyof Paths]: number[] }> {
  const times = paths.map((): number[] => []);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [p, call] of paths.entries()) {
      for (let i = 0; i < TURN; i++) {
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

/**
 * startGatewayProcess runs `latch mcp-gateway` of cli (TypeScript through tsx, or built) with the
 * rig's configuration, profiled when asked; resolves its URL.
 */
function startGatewayProcess(rig: GatewayRig, scratch: string, cli: string, profile: boolean) {
  return startCli(cli, ["mcp-gateway", "--config", config(rig, scratch)], rig.gatewayEnv, profile);
}

/**
 * startServeProcess runs `latch serve --mcp-gateway` of cli with the rig's gateway configuration,
 * on a database of its own (a fresh one on the test Postgres server, else PGlite in scratch) with
 * the rig's schema and relationships, in development mode (no keys); resolves its gateway's URL.
 */
async function startServeProcess(rig: GatewayRig, scratch: string, cli: string, profile: boolean) {
  const postgres = await findPostgres();
  const database = postgres.url === undefined ? undefined : await createTestDatabase(postgres.url);
  const dir = mkdtempSync(join(scratch, "serve-"));
  writeFileSync(join(dir, "schema.zed"), SCHEMA);
  const started = await startCli(
    cli,
    ["serve", "--mcp-gateway", config(rig, scratch)],
    {
      DATABASE_URL: database?.url ?? "",
      LATCH_DATA_DIR: join(dir, "data"),
      LATCH_SCHEMA: join(dir, "schema.zed"),
      LATCH_GRPC_PORT: "0",
      LATCH_HTTP_PORT: "0",
      REDIS_URL: "",
      GATEWAY_JWT_SECRET: rig.gatewayEnv.GATEWAY_JWT_SECRET!,
    },
    profile,
    /gRPC port (\d+)/,
  );
  const touched = await runLatch(
    ["rel", "touch", ...RELATIONSHIPS],
    {},
    {
      env: { LATCH_ENDPOINT: `127.0.0.1:${started.matched}` },
    },
  );
  if (touched.exitCode !== 0) throw new Error(`latch rel touch: ${touched.stderr}`);
  return { ...started, drop: () => database?.drop() };
}

function config(rig: GatewayRig, scratch: string): string {
  const file = join(scratch, "gateway.yaml");
  writeFileSync(file, rig.yaml);
  return file;
}

/**
 * startCli runs `latch ...args` of cli with env over this process's, its CPU profiled when asked;
 * resolves the gateway's URL once it logs it, with what `also` (logged before it) matched.
 */
async function startCli(
  cli: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  profile: boolean,
  also?: RegExp,
) {
  const child = spawn(
    process.execPath,
    [
      ...(profile && profileDir !== undefined ? ["--cpu-prof", "--cpu-prof-dir", profileDir] : []),
      ...(cli.endsWith(".ts") ? ["--import", "tsx"] : []),
      cli,
      ...args,
    ],
    { env: { ...process.env, ...env }, stdio: ["ignore", "inherit", "pipe"] },
  );
  return new Promise<{ child: ChildProcess; url: string; matched: string | undefined }>(
    (resolve, reject) => {
      let log = "";
      child.stderr?.on("data", (chunk: Buffer) => {
        log += chunk.toString();
        process.stderr.write(chunk);
        const found = / on (http:[^\s"]+)/.exec(log);
        if (found) resolve({ child, url: found[1]!, matched: also?.exec(log)?.[1] });
      });
      child.once("exit", (code) => reject(new Error(`latch ${args[0]} exited (${code}): ${log}`)));
    },
  );
}

const rig = await startRig("http", "async");
const scratch = mkdtempSync(join(tmpdir(), "latch-mcp-bench-"));
const drops: (() => Promise<void> | undefined)[] = [];
try {
  // Every client over kept-alive connections, as the gateway's own upstream client: the global
  // fetch leaves an abort listener per call on the transport's signal (thousands, and a warning).
  const connections: KeptAliveFetch[] = [];
  const connected = async (url: string, requestInit?: RequestInit) => {
    const kept = createKeptAliveFetch();
    connections.push(kept);
    const client = new Client({ name: "bench-agent", version: "1" });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(url), {
        fetch: kept.fetch,
        ...(requestInit === undefined ? {} : { requestInit }),
      }),
    );
    return client;
  };
  const direct = await connected(rig.upstreamUrl!);
  const headers = { authorization: `Bearer ${ASSISTANT_KEY}`, [ON_BEHALF_OF_HEADER]: "user:alice" };
  const builds = [
    { prefix: "", cli },
    ...(baselineCli === undefined ? [] : [{ prefix: "base ", cli: baselineCli }]),
  ];
  const gateways = [];
  for (const [i, build] of builds.entries()) {
    const standalone = await startGatewayProcess(rig, scratch, build.cli, i === 0);
    gateways.push({
      path: `${build.prefix}standalone`,
      child: standalone.child,
      client: await connected(standalone.url, { headers }),
    });
    const serve = await startServeProcess(rig, scratch, build.cli, i === 0);
    drops.push(serve.drop);
    gateways.push({
      path: `${build.prefix}serve`,
      child: serve.child,
      client: await connected(serve.url, { headers }),
    });
  }
  const check = {
    resource: { type: "mcp_tool", id: "docs/list_documents" },
    permission: "call",
    subject: { object: { type: "user", id: "alice" } },
    actors: [{ object: { type: "agent", id: "assistant" } }],
  };
  const paths = [
    () => direct.callTool({ name: "list_documents" }),
    () => rig.latch.permissions.check(check),
    ...gateways.map((g) => () => g.client.callTool({ name: "docs__list_documents" })),
  ] as const;
  await warmUp(paths);
  const ticks = gateways.map((g) => cpuTicks(g.child.pid!));
  const [directTimes, checkTimes, ...gatewayTimes] = await timedInTurns(paths);
  // What each gateway process spent per timed call, whatever else the machine ran.
  const cpuMs = gateways.map((g, i) =>
    Number(
      (
        (((cpuTicks(g.child.pid!) - ticks[i]!) / clockTicksPerSecond()) * 1000) /
        (TURN * ROUNDS)
      ).toFixed(3),
    ),
  );
  await direct.close();
  for (const g of gateways) await g.client.close();
  for (const connection of connections) connection.close();
  // Awaited: a gateway writes its profile as it exits.
  for (const { child } of gateways) {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
  const floor = at(directTimes, 0.5);
  const row = (path: string, times: number[]): Row => ({
    path,
    p50Ms: Number(at(times, 0.5).toFixed(3)),
    p99Ms: Number(at(times, 0.99).toFixed(3)),
    ratioP50: Number((at(times, 0.5) / floor).toFixed(2)),
  });
  const rows = [
    row("direct", directTimes),
    row("check", checkTimes),
    ...gateways.map((g, i) => row(g.path, gatewayTimes[i]!)),
  ];
  const overheads = gateways.map((g, i) => ({
    path: g.path,
    p50Ms: Number((at(gatewayTimes[i]!, 0.5) - at(directTimes, 0.5)).toFixed(3)),
    p99Ms: Number((at(gatewayTimes[i]!, 0.99) - at(directTimes, 0.99)).toFixed(3)),
    cpuMs: cpuMs[i]!,
  }));
  if (json) {
    console.log(JSON.stringify({ calls, rows, overheads }));
  } else {
    console.log(
      `MCP gateway, an allowed tools/call with a cached decision: ${calls} calls per path`,
    );
    console.log("| path            | p50 ms  | p99 ms  | p50 ÷ direct |");
    console.log("| --------------- | ------- | ------- | ------------ |");
    for (const r of rows) {
      const cells = [r.p50Ms.toFixed(3).padStart(7), r.p99Ms.toFixed(3).padStart(7)];
      console.log(
        `| ${r.path.padEnd(15)} | ${cells.join(" | ")} | ${r.ratioP50.toFixed(2).padStart(12)} |`,
      );
    }
    for (const o of overheads) {
      console.log(
        `${o.path} overhead (− direct): p50 ${o.p50Ms.toFixed(3)} ms, p99 ${o.p99Ms.toFixed(3)} ms (target: p99 ≤ 2 ms); process CPU per call: ${o.cpuMs.toFixed(3)} ms`,
      );
    }
  }
} finally {
  for (const drop of drops) await drop();
  rmSync(scratch, { recursive: true, force: true });
  await rig.close();
}
