// The server benchmark's decision-log rounds: the hot Check on a server that records every
// decision (async, to Postgres) against the same on a server that records none, alternating.

import { findPostgres } from "../store/postgres/test-database.js";
import type { Cores } from "./server-bench-children.js";
import { ticksOfProcessesNamed } from "./server-bench-cpu.js";
import { type BenchServer, HZ, type Phase, startBenchServer } from "./server-bench-phase.js";
import type { LoadCommand } from "./server-bench-protocol.js";

/** DecisionLogRound is one round: the log off, then on, and Postgres's CPU per call logged. */
export interface DecisionLogRound {
  readonly off: Phase;
  readonly on: Phase;
  /** Every postgres process's CPU over both phases (the log writes behind), per call logged. */
  readonly postgresCpuMicros: number;
}

/**
 * compareDecisionLog runs rounds of the hot command on a server with the log on and on plain
 * (the log off), or returns undefined, saying why, when no Postgres answers.
 */
export async function compareDecisionLog(
  cores: Cores,
  plain: BenchServer,
  hot: LoadCommand,
  warmUp: LoadCommand,
  rounds: number,
): Promise<DecisionLogRound[] | undefined> {
  const postgres = await findPostgres();
  if (postgres.url === undefined) {
    console.warn(`warning: no decision-log rounds: ${postgres.reason}`);
    return undefined;
  }
  const logged = await startBenchServer(cores, ["--decisions"]);
  try {
    await logged.run("warm-up checks, decision log on", warmUp);
    const measured: DecisionLogRound[] = [];
    for (let round = 0; round < rounds; round++) {
      const before = ticksOfProcessesNamed("postgres");
      const on = await logged.run("Check, hot set, decision log on (async, Postgres)", hot);
      const off = await plain.run("Check, hot set, decision log off", hot);
      const postgresTicks = ticksOfProcessesNamed("postgres") - before;
      measured.push({ off, on, postgresCpuMicros: ((postgresTicks / HZ) * 1e6) / on.calls });
    }
    return measured;
  } finally {
    await logged.stop();
  }
}
