// Set up before every test of the unit project: a test that starts a process, a server or a TCP connection fails at once.

import childProcess from "node:child_process";
import { syncBuiltinESMExports } from "node:module";
import net from "node:net";

/**
 * Where the tests that need more than the process live: vitest.config.ts runs them in the
 * integration project, which `npm run test:unit` leaves out.
 */
const WHERE =
  "tests that use Postgres, Redis, a server or a child process belong in test/api/, test/cli/, " +
  "test/store/postgres/, test/readme/ or a folder named integration/ (the integration project " +
  "in vitest.config.ts); the unit project (npm run test:unit) runs without them";

/** UnitRunError is a unit test reaching for something only integration tests may use. */
class UnitRunError extends Error {
  constructor(what: string) {
    super(`${what} in a unit test: ${WHERE}`);
    this.name = "UnitRunError";
  }
}

/**
 * GUARDED marks the process as guarded: the unit project runs its files in one process each
 * worker (vitest.config.ts), and this setup runs before each file, so it patches once.
 */
const GUARDED = Symbol.for("latch.unit-guard");

const PROCESS_STARTERS = [
  "spawn",
  "spawnSync",
  "exec",
  "execSync",
  "execFile",
  "execFileSync",
  "fork",
] as const;

if (!(GUARDED in globalThis)) {
  Object.defineProperty(globalThis, GUARDED, { value: true });
  for (const name of PROCESS_STARTERS) {
    Object.defineProperty(childProcess, name, {
      value: () => {
        throw new UnitRunError(`child_process.${name}`);
      },
    });
  }
  // Named imports of node:child_process read the patched functions too.
  syncBuiltinESMExports();

  const connect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    const port = tcpPort(args);
    if (port !== undefined) throw new UnitRunError(`a TCP connection to port ${port}`);
    return Reflect.apply(connect, this, args);
  } as typeof connect;

  net.Server.prototype.listen = () => {
    throw new UnitRunError("a server listening");
  };
}

/**
 * tcpPort is the port a Socket#connect call connects to, or undefined for a Unix socket (which
 * in-process libraries, such as embedded SpiceDB, use). net.connect passes its arguments
 * normalised as an array; a direct call passes options, a port, or a path.
 */
function tcpPort(args: readonly unknown[]): string | number | undefined {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  if (typeof first === "number") return first;
  if (typeof first === "string") return /^\d+$/.test(first) ? first : undefined;
  if (typeof first === "object" && first !== null && !("path" in first && first.path)) {
    const port = (first as { port?: unknown }).port;
    if (typeof port === "number" || typeof port === "string") return port;
  }
  return undefined;
}
