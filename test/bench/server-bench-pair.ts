// The server benchmark's paired rounds: the hot Check on a server with a feature on against the
// same on a server without it, both started and warmed up alike, alternating.

import type { Cores } from "./server-bench-children.js";
import {
  type BenchServer,
  type Phase,
  poolPhases,
  startBenchServer,
} from "./server-bench-phase.js";
import type { LoadCommand } from "./server-bench-protocol.js";

/** PairedRound is one round: the feature off and on, each server's two phases pooled. */
export interface PairedRound {
  readonly off: Phase;
  readonly on: Phase;
}

/** Pair names the feature's server (its target arguments) and each side's phases. */
export interface Pair {
  readonly onArgs: readonly string[];
  readonly offName: string;
  readonly onName: string;
}

/**
 * PairRounds is how many pairs of servers a comparison starts, one after the other, and how many
 * rounds it runs on each: two processes of the same code can differ per call by more than a
 * goal's margin for their whole life, so the rounds are spread over several pairs.
 */
export interface PairRounds {
  readonly pairs: number;
  readonly roundsPerPair: number;
}

/**
 * comparePair runs rounds of the hot command on servers started with the pair's arguments and on
 * servers started without, a pair of them at a time, and adds to each round what `observe`
 * measured over it (called as the round starts, its result as it ends). Both servers of a pair
 * are started for these rounds and given the same warm-up: a server that has already served the
 * benchmark's earlier phases costs less per call than one just started, which would be charged
 * to the feature. Each round runs off, on, on, off and pools each server's two phases: a phase
 * right after the other server's measured dearer than the same server's next one, so each server
 * has one of each.
 */
export async function comparePair<Extra>(
  cores: Cores,
  pair: Pair,
  hot: LoadCommand,
  warmUp: LoadCommand,
  rounds: PairRounds,
  observe: () => (round: PairedRound) => Extra,
): Promise<(PairedRound & Extra)[]> {
  const measured: (PairedRound & Extra)[] = [];
  /** onePair starts a pair of servers, runs its rounds into measured, and stops them. */
  const onePair = async () => {
    const servers: BenchServer[] = [];
    try {
      const without = await startBenchServer(cores);
      servers.push(without);
      const withIt = await startBenchServer(cores, pair.onArgs);
      servers.push(withIt);
      await withIt.run(`warm-up checks, ${pair.onName}`, warmUp);
      await without.run(`warm-up checks, ${pair.offName}`, warmUp);
      const runOff = () => without.run(`Check, hot set, ${pair.offName}`, hot);
      const runOn = () => withIt.run(`Check, hot set, ${pair.onName}`, hot);
      for (let round = 0; round < rounds.roundsPerPair; round++) {
        const observed = observe();
        const offFirst = await runOff();
        const on = poolPhases(await runOn(), await runOn());
        const off = poolPhases(offFirst, await runOff());
        measured.push({ off, on, ...observed({ off, on }) });
      }
    } finally {
      for (const server of servers) await server.stop();
    }
  };
  for (let started = 0; started < rounds.pairs; started++) await onePair();
  return measured;
}

/** poolPairedRound is two rounds as one: each side's phases pooled (see poolPhases). */
export function poolPairedRound(a: PairedRound, b: PairedRound): PairedRound {
  return { off: poolPhases(a.off, b.off), on: poolPhases(a.on, b.on) };
}
