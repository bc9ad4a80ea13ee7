// `latch serve` as a child process, built (or from the sources when the build is stale): the
// server as it is deployed, for tests of start-up, signals and what survives them.

import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { SERVER_NODE_FLAGS } from "../../src/cli/server-node-flags.js";
import { entryArguments } from "./built-entry.js";

const MAIN = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));

/** ServedLatch is a running (or ended) `latch serve`: the process, what it logged, its exit. */
export interface ServedLatch {
  readonly process: ChildProcess;
  /** log is what the process has written to stderr so far (it writes nothing to stdout). */
  readonly log: () => string;
  /** exited resolves with the exit code, or null when a signal ended the process. */
  readonly exited: Promise<number | null>;
}

/**
 * serveLatch starts `latch serve` (with options, if any) with env over this process's environment,
 * on free ports, with neither a database URL nor Redis unless env sets them: the embedded store,
 * in LATCH_DATA_DIR. Its node runs with nodeFlags: by default those `npm start` gives it.
 */
export function serveLatch(
  env: Record<string, string>,
  options: readonly string[] = [],
  nodeFlags: readonly string[] = SERVER_NODE_FLAGS,
): ServedLatch {
  const entry = [...nodeFlags, ...entryArguments(MAIN), "serve", ...options];
  const child = spawn(process.execPath, entry, {
    env: {
      ...process.env,
      DATABASE_URL: "",
      REDIS_URL: "",
      LATCH_GRPC_PORT: "0",
      LATCH_HTTP_PORT: "0",
      ...env,
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    log += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  return { process: child, log: () => log, exited };
}

/** logged waits until the log matches pattern, and fails if the process exits first. */
export function logged(served: ServedLatch, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const look = () => {
      const match = pattern.exec(served.log());
      if (match === null) return false;
      served.process.stderr?.off("data", look);
      resolve(match);
      return true;
    };
    if (look()) return;
    served.process.stderr?.on("data", look);
    served.exited.then((code) => {
      if (!look())
        reject(new Error(`latch serve exited (${code}) before ${pattern}:\n${served.log()}`));
    });
  });
}

/** servingPorts waits for the line saying the server serves, and returns the ports it names. */
export async function servingPorts(
  served: ServedLatch,
): Promise<{ grpcPort: number; httpPort: number }> {
  const [, grpc, http] = await logged(served, /gRPC port (\d+), HTTP port (\d+)/);
  return { grpcPort: Number(grpc), httpPort: Number(http) };
}
