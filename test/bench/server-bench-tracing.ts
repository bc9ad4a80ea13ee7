// The server benchmark's tracing rounds: the hot Check on a server that traces 1% of its calls to
// an OTLP receiver the driver runs, against the same on a server that does not trace, started and
// warmed up alike, alternating.

import { startOtlpReceiver } from "../support/otlp-receiver.js";
import type { Cores } from "./server-bench-children.js";
import {
  type BenchServer,
  type Phase,
  poolPhases,
  startBenchServer,
} from "./server-bench-phase.js";
import type { LoadCommand } from "./server-bench-protocol.js";

/** TRACE_RATIO is the share of calls the traced server samples. */
export const TRACE_RATIO = 0.01;

/** TracingRound is one round: tracing off and on (two phases each, pooled), and the spans the receiver got over it. */
export interface TracingRound {
  readonly off: Phase;
  readonly on: Phase;
  readonly spans: number;
}

/**
 * compareTracing runs rounds of the hot command on a server that traces ({@link TRACE_RATIO} of
 * calls sampled, exported over OTLP/HTTP JSON) and on one that does not. Both are started for
 * these rounds and given the same warm-up: a server that has already served the benchmark's
 * earlier phases costs less per call than one just started, which against a fresh traced server
 * would be charged to tracing. Each round runs off, on, on, off and pools each server's two
 * phases: a phase right after the other server's measured dearer than the same server's next
 * one, so each server has one of each.
 */
export async function compareTracing(
  cores: Cores,
  hot: LoadCommand,
  warmUp: LoadCommand,
  rounds: number,
): Promise<TracingRound[]> {
  const receiver = await startOtlpReceiver();
  const servers: BenchServer[] = [];
  try {
    const untraced = await startBenchServer(cores);
    servers.push(untraced);
    const traced = await startBenchServer(cores, [
      "--traced",
      receiver.endpoint,
      String(TRACE_RATIO),
    ]);
    servers.push(traced);
    await traced.run("warm-up checks, traced", warmUp);
    await untraced.run("warm-up checks, tracing off", warmUp);
    const runOff = () => untraced.run("Check, hot set, tracing off", hot);
    const runOn = () => traced.run(`Check, hot set, traced (${100 * TRACE_RATIO}% sampled)`, hot);
    const measured: TracingRound[] = [];
    for (let round = 0; round < rounds; round++) {
      const before = receiver.spans.length;
      const offFirst = await runOff();
      const on = poolPhases(await runOn(), await runOn());
      const off = poolPhases(offFirst, await runOff());
      measured.push({ off, on, spans: receiver.spans.length - before });
    }
    return measured;
  } finally {
    for (const server of servers) await server.stop();
    await receiver.close();
  }
}
