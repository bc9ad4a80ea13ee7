// The messages the server benchmark's driver and its load generator exchange over the IPC channel.

/**
 * Workload is what a phase calls: the health check (the floor), Check on one of three sets (the
 * hot one also on behalf of its users, by their agents, and also through SpiceDB's API as
 * CheckPermission), the
 * Zipf mix (checks drawn by popularity, with writes interleaved), or its warm-up (each of its
 * checks not yet asked, once).
 */
export type Workload =
  | "health"
  | "check-hot"
  | "check-hot-on-behalf"
  | "spicedb-check-hot"
  | "check-cold"
  | "check-warm-up"
  | "zipf"
  | "zipf-warm-up";

/** LoadCommand is what the driver asks of the load generator. */
export type LoadCommand =
  | {
      readonly kind: "init";
      /** The server's gRPC address, host:port. */
      readonly address: string;
      /** The API key to send, for a target that requires one (--target). */
      readonly apiKey?: string;
      /** How many documents and users the dataset has, to draw checks from. */
      readonly documents: number;
      readonly users: number;
    }
  | {
      /**
       * Closed loop: keep inFlight calls outstanding for at least seconds and minCalls calls (so a
       * slow or busy machine still gives the server enough CPU ticks to measure), but no longer
       * than maxSeconds, and never past the end of a set that does not repeat.
       */
      readonly kind: "throughput";
      readonly workload: Workload;
      readonly seconds: number;
      readonly minCalls: number;
      readonly maxSeconds: number;
      readonly inFlight: number;
    }
  | {
      /** Open loop: start calls at a fixed rate, whatever answers come back, for seconds. */
      readonly kind: "latency";
      readonly workload: Workload;
      readonly seconds: number;
      readonly rate: number;
    };

/** LoadResult is what one phase did, as the load generator saw it. */
export interface LoadResult {
  /** Every call: checks, writes, or health checks. */
  readonly calls: number;
  /** The calls that were checks. */
  readonly checks: number;
  readonly errors: number;
  /** The first error's message, if any. */
  readonly firstError?: string;
  /** Checks answered allowed (0 for the health check). */
  readonly allowed: number;
  /** Checks whose response says `served_from_cache`. */
  readonly servedFromCache: number;
  /**
   * Checks an exact cache of unbounded size could have served (asked before, their document not
   * written since): the most servedFromCache can be. Counted by the Zipf workload only.
   */
  readonly cacheable: number;
  readonly seconds: number;
  /** The load generator's own CPU time over the phase, in µs. */
  readonly cpuMicros: number;
  /** Latency in ms, from each call's start to its answer. */
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/** LoadReply is the load generator's answer to one command. */
export type LoadReply =
  | {
      readonly kind: "ready";
      readonly hot: number;
      readonly cold: number;
      /** Distinct checks the Zipf workload draws from. */
      readonly zipf: number;
    }
  | { readonly kind: "done"; readonly result: LoadResult }
  | { readonly kind: "failed"; readonly message: string };
