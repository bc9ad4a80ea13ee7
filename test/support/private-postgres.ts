// A Postgres server of one test's own, in a temporary directory, that the test may crash and restart.

import { execFile, execFileSync } from "node:child_process";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { appendFile, chown, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "./free-port.js";

const run = promisify(execFile);

/** Debian and Ubuntu install each major version's server binaries here, off the PATH. */
const DEBIAN_ROOT = "/usr/lib/postgresql";
/** The OS user that owns the server when the tests run as root, which initdb and postgres refuse. */
const SERVER_USER = "postgres";
/** How long pg_ctl waits for the server to start (crash recovery included) or stop. */
const PG_CTL_WAIT_SECONDS = 30;

/** PostgresBinaries is the directory holding initdb and pg_ctl, or why a private server cannot start. */
export type PostgresBinaries =
  | { readonly bin: string; readonly reason?: undefined }
  | { readonly bin?: undefined; readonly reason: string };

/**
 * findPostgresBinaries finds initdb and pg_ctl: the newest major version under /usr/lib/postgresql,
 * else the directory on the PATH that has them (Homebrew, Fedora). Run as root, it also needs the
 * `postgres` OS user to run them as.
 */
export function findPostgresBinaries(): PostgresBinaries {
  if (process.getuid?.() === 0) {
    try {
      execFileSync("id", ["-u", SERVER_USER], { stdio: "ignore" });
    } catch {
      return { reason: `running as root, and no ${SERVER_USER} OS user to run initdb as` };
    }
  }
  const versions = existsSync(DEBIAN_ROOT)
    ? readdirSync(DEBIAN_ROOT)
        .filter((name) => /^\d+$/.test(name))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const candidates = [
    ...versions.map((version) => join(DEBIAN_ROOT, version, "bin")),
    ...(process.env.PATH ?? "").split(delimiter).filter((dir) => dir !== ""),
  ];
  const bin = candidates.find(
    (dir) => existsSync(join(dir, "initdb")) && existsSync(join(dir, "pg_ctl")),
  );
  if (bin !== undefined) return { bin };
  return { reason: `no initdb and pg_ctl under ${DEBIAN_ROOT}/<version>/bin or on the PATH` };
}

/** PrivatePostgres is a running server that only its test uses; the test owns its lifetime. */
export interface PrivatePostgres {
  /** url reaches the `postgres` database as the superuser `postgres`, over TCP to 127.0.0.1. */
  readonly url: string;
  /**
   * crash stops the server as a crash would (`pg_ctl stop -m immediate`): backends die at once,
   * clients lose their connections, and nothing is checkpointed, so the next start recovers from
   * the write-ahead log.
   */
  crash(): Promise<void>;
  /** start starts the stopped server again on the same port and data, resolving once it accepts connections. */
  start(): Promise<void>;
  /** destroy stops the server if it runs and deletes its directory; calling it again does nothing. */
  destroy(): Promise<void>;
}

/**
 * startPrivatePostgres initializes a cluster in a new temporary directory with the binaries in bin
 * and starts it on a free port: trust auth, 127.0.0.1 only, small shared buffers, fsync on (the
 * tests that crash it check the durability of acknowledged writes). Run as root, the server runs
 * as the `postgres` OS user. If anything fails, nothing is left behind.
 */
export async function startPrivatePostgres(bin: string): Promise<PrivatePostgres> {
  const dir = await mkdtemp(join(tmpdir(), "latch-pg-"));
  const data = join(dir, "data");
  const log = join(dir, "server.log");
  const asServerUser = process.getuid?.() === 0 ? ["runuser", "-u", SERVER_USER, "--"] : [];
  const pgCtl = [
    ...asServerUser,
    join(bin, "pg_ctl"),
    "-D",
    data,
    "-w",
    "-t",
    `${PG_CTL_WAIT_SECONDS}`,
  ];

  const stop = [...pgCtl, "-m", "immediate", "stop"];
  const stopNow = () => command(stop);
  // A test process that exits without running its afterAll (process.exit on a teardown timeout)
  // must not leave a server behind.
  const onExit = () => {
    try {
      const [file = "", ...args] = stop;
      execFileSync(file, args, { stdio: "ignore" });
    } catch {
      // Not running.
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", onExit);
  let destroyed: Promise<void> | undefined;
  const destroy = () => {
    destroyed ??= (async () => {
      process.removeListener("exit", onExit);
      await stopNow().catch(() => {});
      await rm(dir, { recursive: true, force: true });
    })();
    return destroyed;
  };

  const start = async () => {
    try {
      await command([...pgCtl, "-l", log, "start"]);
    } catch (error) {
      const tail = await readFile(log, "utf8").then(
        (text) => text.split("\n").slice(-20).join("\n"),
        () => "(no server log)",
      );
      throw new Error(`${(error as Error).message}\nserver log:\n${tail}`);
    }
  };

  try {
    if (asServerUser.length > 0) {
      const [uid, gid] = await Promise.all([id("-u"), id("-g")]);
      await chown(dir, uid, gid);
    }
    // --no-sync only skips flushing initdb's own files; the server itself runs with fsync on.
    await command([
      ...asServerUser,
      join(bin, "initdb"),
      ...["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C"],
      ...["--no-sync", "--no-instructions"],
    ]);
    const port = await freePort();
    await appendFile(
      join(data, "postgresql.conf"),
      [
        `port = ${port}`,
        "listen_addresses = '127.0.0.1'",
        // The socket stays in our directory, off the shared server's /var/run/postgresql.
        `unix_socket_directories = '${dir}'`,
        "shared_buffers = 16MB",
        "max_connections = 40",
        "fsync = on",
        "",
      ].join("\n"),
    );
    await start();
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      crash: async () => {
        await stopNow();
      },
      start,
      destroy,
    };
  } catch (error) {
    await destroy();
    throw error;
  }
}

/** command runs argv, rejecting with its output when it fails. */
async function command(argv: readonly string[]): Promise<void> {
  const [file = "", ...args] = argv;
  try {
    await run(file, args, { timeout: (PG_CTL_WAIT_SECONDS + 30) * 1000 });
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    throw new Error(`${argv.join(" ")} failed: ${(error as Error).message}\n${stdout}${stderr}`);
  }
}

/** id reads the server user's uid or gid. */
async function id(flag: "-u" | "-g"): Promise<number> {
  const { stdout } = await run("id", [flag, SERVER_USER]);
  return Number(stdout.trim());
}
