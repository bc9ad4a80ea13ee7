// The server benchmark's tracing rounds: the hot Check on a server that traces 1% of its calls to
// an OTLP receiver the driver runs, against the same on a server that does not trace, alternating.

import { startOtlpReceiver } from "../support/otlp-receiver.js";
import type { Cores } from "./server-bench-children.js";
import { type BenchServer, type Phase, startBenchServer } from "./server-bench-phase.js";
import type { LoadCommand } from "./server-bench-protocol.js";

/** TRACE_RATIO is the share of calls the traced server samples. */
export const TRACE_RATIO = 0.01;

/** TracingRound is one round: tracing off, then on, and the spans the receiver got over it. */
export interface TracingRound {
  readonly off: Phase;
  readonly on: Phase;
  readonly spans: number;
}

/**
 * compareTracing runs rounds of the hot command on a server that traces ({@link TRACE_RATIO} of
 * calls sampled, exported over OTLP/HTTP JSON) and on plain, which does not.
 */
export async function compareTracing(
  cores: Cores,
  plain: BenchServer,
  hot: LoadCommand,
  warmUp: LoadCommand,
  rounds: number,
): Promise<TracingRound[]> {
  const receiver = await startOtlpReceiver();
  const traced = await startBenchServer(cores, [
    "--traced",
    receiver.endpoint,
    String(TRACE_RATIO),
  ]);
  try {
    await traced.run("warm-up checks, traced", warmUp);
    const measured: TracingRound[] = [];
    for (let round = 0; round < rounds; round++) {
      const before = receiver.spans.length;
      const on = await traced.run(`Check, hot set, traced (${100 * TRACE_RATIO}% sampled)`, hot);
      const off = await plain.run("Check, hot set, tracing off", hot);
      measured.push({ off, on, spans: receiver.spans.length - before });
    }
    return measured;
  } finally {
    await traced.stop();
    await receiver.close();
  }
}
