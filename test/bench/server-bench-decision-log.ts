// The server benchmark's decision-log rounds: the hot Check on a server that records every
// decision (async, to Postgres) against the same on a server that records none.

import { findPostgres } from "../store/postgres/test-database.js";
import type { Cores } from "./server-bench-children.js";
import { ticksOfProcessesNamed } from "./server-bench-cpu.js";
import {
  comparePair,
  type PairedRound,
  type PairRounds,
  poolPairedRound,
} from "./server-bench-pair.js";
import { HZ } from "./server-bench-phase.js";
import type { LoadCommand } from "./server-bench-protocol.js";

/** DecisionLogRound is one round: the log off and on, and Postgres's CPU per call logged. */
export interface DecisionLogRound extends PairedRound {
  /** Every postgres process's CPU over the round (the log writes behind), per call logged. */
  readonly postgresCpuMicros: number;
}

/**
 * compareDecisionLog runs paired rounds (see comparePair) of the hot command on a server with the
 * log on and on one with it off, or returns undefined, saying why, when no Postgres answers.
 */
export async function compareDecisionLog(
  cores: Cores,
  hot: LoadCommand,
  warmUp: LoadCommand,
  rounds: PairRounds,
): Promise<DecisionLogRound[] | undefined> {
  const postgres = await findPostgres();
  if (postgres.url === undefined) {
    console.warn(`warning: no decision-log rounds: ${postgres.reason}`);
    return undefined;
  }
  const pair = {
    onArgs: ["--decisions"],
    offName: "decision log off",
    onName: "decision log on (async, Postgres)",
  };
  return comparePair(cores, pair, hot, warmUp, rounds, () => {
    const before = ticksOfProcessesNamed("postgres");
    return ({ on }) => ({
      postgresCpuMicros: (((ticksOfProcessesNamed("postgres") - before) / HZ) * 1e6) / on.calls,
    });
  });
}

/**
 * poolDecisionLogRounds is the rounds as one: each side's phases pooled (see poolPhases), and
 * Postgres's CPU per call logged over all of them. Over many short rounds this is steadier than
 * any one round: a server's garbage collection costs it more or less per call for seconds at a
 * time, so that single rounds of the same servers spread by more than the log's goal allows.
 */
export function poolDecisionLogRounds(rounds: readonly DecisionLogRound[]): DecisionLogRound {
  return rounds.reduce((a, b) => ({
    ...poolPairedRound(a, b),
    postgresCpuMicros:
      (a.postgresCpuMicros * a.on.calls + b.postgresCpuMicros * b.on.calls) /
      (a.on.calls + b.on.calls),
  }));
}
