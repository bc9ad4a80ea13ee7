// One process at a time in an embedded database's directory: a lock file naming its holder, stale once the holder is gone.

import { randomUUID } from "node:crypto";
import { link, mkdir, open, readFile, rmdir, stat, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as delay } from "node:timers/promises";

/** LOCK_FILE is the lock's name inside the data directory. */
export const LOCK_FILE = "latch.lock";

/** LockHolder is the process a lock file names. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** What the process runs, such as `latch serve`. */
  readonly command: string;
  /** When it took the lock, in ISO 8601. */
  readonly since: string;
  /**
   * The kernel's boot and the process's start time in clock ticks since that boot (Linux): with
   * the pid they name one process, so that a pid reused after a crash does not look like the holder.
   */
  readonly bootId?: string;
  readonly startTicks?: string;
  /** Tells this lock from any other the same process takes. */
  readonly nonce: string;
}

/**
 * DataDirectoryInUseError is a data directory another process holds: two processes writing one
 * embedded database would each acknowledge writes the other then loses.
 */
export class DataDirectoryInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    const here = holder.host === hostname();
    const advice = here
      ? "stop it first, or use another data directory"
      : `Latch cannot tell whether it still runs; if it does not, delete ${join(dataDir, LOCK_FILE)}`;
    super(
      `the embedded database in ${dataDir} is in use by process ${holder.pid}${here ? "" : ` on host ${holder.host}`} (${holder.command}, since ${holder.since}): ${advice}`,
    );
    this.name = "DataDirectoryInUseError";
  }
}

/** DataDirectoryLock is a data directory this process holds until release. */
export interface DataDirectoryLock {
  /** release deletes the lock file, if it is still this lock's. */
  release(): Promise<void>;
}

/** How often the lock is tried when its file changes between a look and the next step. */
const ATTEMPTS = 10;

/**
 * lockDataDirectory takes the lock of dataDir (an existing directory) for this process, running
 * command, or throws a {@link DataDirectoryInUseError} naming the process that holds it. A lock
 * whose holder is gone (it exited without releasing, was killed, or the machine restarted) is
 * taken over. The lock file is created whole (written aside, then linked into place, which fails
 * if it exists), so a reader never sees it half-written.
 */
export async function lockDataDirectory(
  dataDir: string,
  command: string,
): Promise<DataDirectoryLock> {
  const directory = resolve(dataDir);
  const path = join(directory, LOCK_FILE);
  const me = await thisProcess(command);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (await createLockFile(path, me)) return { release: () => releaseLock(path, me) };
    const holder = await readHolder(path);
    if (holder === undefined) continue;
    if (await isRunning(holder)) throw new DataDirectoryInUseError(directory, holder);
    await removeStaleLock(path, holder);
  }
  throw new Error(`cannot lock ${directory}: its lock file ${path} kept changing`);
}

async function thisProcess(command: string): Promise<LockHolder> {
  const bootId = await readBootId();
  const startTicks = await readStartTicks(process.pid);
  return {
    pid: process.pid,
    host: hostname(),
    command,
    since: new Date().toISOString(),
    ...(bootId === undefined ? {} : { bootId }),
    ...(startTicks === undefined ? {} : { startTicks }),
    nonce: randomUUID(),
  };
}

/** createLockFile writes holder's lock file at path, or returns false when one exists. */
async function createLockFile(path: string, holder: LockHolder): Promise<boolean> {
  const aside = `${path}.${holder.nonce}`;
  const file = await open(aside, "wx");
  try {
    await file.writeFile(`${JSON.stringify(holder)}\n`);
    await file.sync();
  } finally {
    await file.close();
  }
  try {
    await link(aside, path);
    return true;
  } catch (error) {
    if (errorCode(error) === "EEXIST") return false;
    throw error;
  } finally {
    await unlink(aside);
  }
}

/**
 * readHolder reads the lock file at path: undefined when it is gone. A file that does not name a
 * holder is not Latch's (Latch writes its lock whole), so it is reported rather than removed.
 */
async function readHolder(path: string): Promise<LockHolder | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if (errorCode(error) === "ENOENT") return undefined;
    throw error;
  }
  const holder = parseHolder(text);
  if (holder === undefined) {
    throw new Error(
      `${path} does not name the process that holds the directory; if no Latch uses it, delete the file`,
    );
  }
  return holder;
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null) return undefined;
    const holder = value as Record<string, unknown>;
    const strings = ["host", "command", "since", "nonce"].every(
      (k) => typeof holder[k] === "string",
    );
    return Number.isSafeInteger(holder.pid) && strings ? (value as LockHolder) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * isRunning tells whether holder still runs. A process on another host (a container sharing the
 * volume, a network file system) cannot be checked, so it counts as running. On this host: not
 * after a restart (another boot id), not when no process has its pid, and not when the process
 * with its pid started at another time (the pid was reused).
 */
async function isRunning(holder: LockHolder): Promise<boolean> {
  if (holder.host !== hostname()) return true;
  const bootId = await readBootId();
  if (holder.bootId !== undefined && bootId !== undefined && holder.bootId !== bootId) {
    return false;
  }
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    if (errorCode(error) === "ESRCH") return false;
  }
  if (holder.startTicks === undefined) return true;
  const startTicks = await readStartTicks(holder.pid);
  return startTicks === undefined || startTicks === holder.startTicks;
}

/**
 * A takeover that has lasted this long was abandoned (its process died between two file system
 * calls): a takeover takes a few milliseconds.
 */
const ABANDONED_TAKEOVER_MS = 30_000;
/** How often a process that lost the race for a takeover looks whether it has ended. */
const TAKEOVER_POLL_MS = 5;

/**
 * removeStaleLock removes the lock file of stale, a holder that is gone, unless another process
 * does it first. Takers of one stale lock race for a directory named after its nonce (mkdir
 * succeeds once); the winner removes the lock file only if it still names stale — nobody else can
 * remove or replace that file meanwhile (a new lock cannot be created over it) — so a live lock is
 * never moved or deleted, however many processes start at once. The losers try again from the
 * start. A takeover directory left by a process that died mid-takeover is removed once old.
 */
async function removeStaleLock(path: string, stale: LockHolder): Promise<void> {
  const takeover = `${path}.takeover.${stale.nonce}`;
  try {
    await mkdir(takeover);
  } catch (error) {
    if (errorCode(error) !== "EEXIST") throw error;
    await takeoverEnded(takeover);
    return;
  }
  try {
    const holder = await readHolder(path);
    if (holder?.nonce === stale.nonce) await unlink(path);
  } finally {
    await rmdir(takeover);
  }
}

/**
 * takeoverEnded waits while another process takes over (its takeover directory exists), removing
 * the directory of one abandoned, so that the caller then reads who holds the lock.
 */
async function takeoverEnded(takeover: string): Promise<void> {
  for (;;) {
    const since = (await stat(takeover).catch(() => undefined))?.mtimeMs;
    if (since === undefined) return;
    if (Date.now() - since > ABANDONED_TAKEOVER_MS) {
      await rmdir(takeover).catch(() => {});
      return;
    }
    await delay(TAKEOVER_POLL_MS);
  }
}

async function releaseLock(path: string, me: LockHolder): Promise<void> {
  const holder = await readHolder(path).catch(() => undefined);
  if (holder?.nonce === me.nonce) await unlink(path);
}

async function readBootId(): Promise<string | undefined> {
  return (await readOptional("/proc/sys/kernel/random/boot_id"))?.trim();
}

/** readStartTicks reads field 22 of /proc/PID/stat, after the command name (which may hold spaces). */
async function readStartTicks(pid: number): Promise<string | undefined> {
  const stat = await readOptional(`/proc/${pid}/stat`);
  return stat?.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
}

/** readOptional reads a file that may not exist (no /proc outside Linux, a process gone). */
async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return undefined;
  }
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}
