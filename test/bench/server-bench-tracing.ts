// The server benchmark's tracing rounds: the hot Check on a server that traces 1% of its calls to
// an OTLP receiver the driver runs, against the same on a server that does not trace.

import { startOtlpReceiver } from "../support/otlp-receiver.js";
import type { Cores } from "./server-bench-children.js";
import {
  comparePair,
  type PairedRound,
  type PairRounds,
  poolPairedRound,
} from "./server-bench-pair.js";
import type { LoadCommand } from "./server-bench-protocol.js";

/** TRACE_RATIO is the share of calls the traced server samples. */
export const TRACE_RATIO = 0.01;

/** TracingRound is one round: tracing off and on, and the spans the receiver got over it. */
export interface TracingRound extends PairedRound {
  readonly spans: number;
}

/**
 * compareTracing runs paired rounds (see comparePair) of the hot command on a server that traces
 * ({@link TRACE_RATIO} of calls sampled, exported over OTLP/HTTP JSON) and on one that does not.
 */
export async function compareTracing(
  cores: Cores,
  hot: LoadCommand,
  warmUp: LoadCommand,
  rounds: PairRounds,
): Promise<TracingRound[]> {
  const receiver = await startOtlpReceiver();
  try {
    const pair = {
      onArgs: ["--traced", receiver.endpoint, String(TRACE_RATIO)],
      offName: "tracing off",
      onName: `traced (${100 * TRACE_RATIO}% sampled)`,
    };
    return await comparePair(cores, pair, hot, warmUp, rounds, () => {
      const before = receiver.spans.length;
      return () => ({ spans: receiver.spans.length - before });
    });
  } finally {
    await receiver.close();
  }
}

/** poolTracingRounds is the rounds as one: each side's phases pooled, and their spans summed. */
export function poolTracingRounds(rounds: readonly TracingRound[]): TracingRound {
  return rounds.reduce((a, b) => ({ ...poolPairedRound(a, b), spans: a.spans + b.spans }));
}
