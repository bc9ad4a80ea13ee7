// The server benchmark against a running server (`npm run bench -- --target HOST:PORT`): the
// load generator's closed loop (health check, then Check on the hot set) and the open-loop
// latency phase, over the network to that server. The server CPU measurements (read from /proc
// of a server the bench started) cannot be made of another machine's process and are left out.
// The checks name the bench dataset's objects (documents d…, users u…): on a server that does not
// hold them they are denied, and measure the check path all the same. LATCH_API_KEY, when set,
// is sent with every call.

import { spawnBenchChild } from "./server-bench-children.js";
import { ask } from "./server-bench-phase.js";
import type { LoadCommand, LoadResult } from "./server-bench-protocol.js";

/** RemoteBenchOptions is what a run against a target needs. */
export interface RemoteBenchOptions {
  readonly address: string;
  readonly seconds: number;
  readonly inFlight: number;
  readonly offeredRate: number;
  /** The bench dataset's sizes, from which the load generator draws its checks. */
  readonly documents: number;
  readonly users: number;
  readonly json: boolean;
}

/** benchTarget runs the remote phases and prints them, as a table or one JSON object. */
export async function benchTarget(options: RemoteBenchOptions): Promise<void> {
  const load = spawnBenchChild("test/bench/server-bench-load.ts", undefined, [
    "ignore",
    "inherit",
    "inherit",
    "ipc",
  ]);
  const apiKey = process.env.LATCH_API_KEY;
  const init = await ask(load, {
    kind: "init",
    address: options.address,
    documents: options.documents,
    users: options.users,
    ...(apiKey ? { apiKey } : {}),
  });
  if (init.kind !== "ready") throw new Error(`the load generator did not start: ${init.kind}`);
  const run = async (name: string, command: LoadCommand) => {
    const reply = await ask(load, command);
    if (reply.kind !== "done") {
      throw new Error(`${name}: ${reply.kind === "failed" ? reply.message : reply.kind}`);
    }
    if (reply.result.errors > 0) {
      throw new Error(`${name}: ${reply.result.errors} calls failed: ${reply.result.firstError}`);
    }
    return { name, ...reply.result };
  };
  const closed = (workload: "health" | "check-hot", seconds = options.seconds) =>
    ({
      kind: "throughput",
      workload,
      seconds,
      minCalls: 0,
      maxSeconds: seconds,
      inFlight: options.inFlight,
    }) as const;
  await run("warm-up", closed("check-hot", 1));
  const phases: (LoadResult & { name: string })[] = [
    await run("Health/Check (floor)", closed("health")),
    await run(`Check, hot set (${init.hot} checks repeated)`, closed("check-hot")),
    await run(`Check, hot set, ${options.offeredRate}/s offered (open loop)`, {
      kind: "latency",
      workload: "check-hot",
      seconds: 2 * options.seconds,
      rate: options.offeredRate,
    }),
  ];
  load.kill("SIGKILL");
  if (options.json) {
    console.log(JSON.stringify({ target: options.address, in_flight: options.inFlight, phases }));
    return;
  }
  console.log(
    `target ${options.address} (HTTP/2, ${options.inFlight} calls in flight); ${options.seconds} s per phase; ` +
      "server CPU not measured: the target is not a process the bench started\n",
  );
  console.log("| phase | calls | calls/s | p50 ms | p99 ms | allowed | served from cache |");
  console.log("|---|---:|---:|---:|---:|---:|---:|");
  for (const p of phases) {
    console.log(
      `| ${p.name} | ${p.calls} | ${(p.calls / p.seconds).toFixed(0)} | ${p.p50.toFixed(3)} | ${p.p99.toFixed(3)} | ${p.allowed} | ${p.servedFromCache} |`,
    );
  }
}
