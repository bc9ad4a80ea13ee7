// The data directory lock: one holder, named when refused; taken over once its holder is gone.

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  DataDirectoryInUseError,
  type DataDirectoryLock,
  LOCK_FILE,
  lockDataDirectory,
} from "../../../src/store/postgres/data-directory-lock.js";

const parent = mkdtemp(join(tmpdir(), "latch-lock-"));
afterAll(async () => rm(await parent, { recursive: true, force: true }));

let made = 0;
async function directory(): Promise<string> {
  const dir = join(await parent, `d${++made}`);
  await mkdir(dir);
  return dir;
}

const lockText = (dir: string) => readFile(join(dir, LOCK_FILE), "utf8");

/** goneProcessId is the pid of a process that has exited. */
function goneProcessId(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""]);
  return new Promise((resolve) => child.once("exit", () => resolve(child.pid!)));
}

async function writeLock(dir: string, holder: Record<string, unknown>): Promise<void> {
  const lock = {
    host: hostname(),
    command: "latch serve",
    since: "2026-01-01T00:00:00.000Z",
    nonce: "n",
    ...holder,
  };
  await writeFile(join(dir, LOCK_FILE), JSON.stringify(lock));
}

describe("lockDataDirectory", () => {
  it("refuses a directory held, naming the holder, until released", async () => {
    const dir = await directory();
    const lock = await lockDataDirectory(dir, "latch serve");
    const holder = JSON.parse(await lockText(dir));
    const refused = await lockDataDirectory(dir, "latch migrate").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DataDirectoryInUseError);
    expect((refused as Error).message).toBe(
      `the embedded database in ${dir} is in use by process ${process.pid} (latch serve, since ${holder.since}): stop it first, or use another data directory`,
    );
    await lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    await (await lockDataDirectory(dir, "latch migrate")).release();
  });

  it("gives the directory to exactly one of several takers at once, however they interleave", async () => {
    // Many rounds: the takers of one stale lock interleave differently each time.
    for (let round = 0; round < 60; round++) {
      const dir = await directory();
      await writeLock(dir, { pid: await goneProcessId() });
      const outcomes = await Promise.allSettled(
        Array.from({ length: 8 }, () => lockDataDirectory(dir, "latch serve")),
      );
      const taken = outcomes.filter((o) => o.status === "fulfilled");
      expect(taken, `round ${round}`).toHaveLength(1);
      for (const o of outcomes) {
        if (o.status === "rejected") expect(o.reason).toBeInstanceOf(DataDirectoryInUseError);
      }
      // The lock file is the one taker's that was told it holds the directory.
      const [winner] = taken as PromiseFulfilledResult<DataDirectoryLock>[];
      await winner!.value.release();
      expect(existsSync(join(dir, LOCK_FILE)), `round ${round}`).toBe(false);
    }
  });

  it("takes over a lock whose process is gone", async () => {
    const dir = await directory();
    await writeLock(dir, { pid: await goneProcessId() });
    const lock = await lockDataDirectory(dir, "latch serve");
    expect(JSON.parse(await lockText(dir)).pid).toBe(process.pid);
    await lock.release();
  });

  it.skipIf(!existsSync("/proc/self/stat"))(
    "takes over a lock whose pid now belongs to a process started later (pid reuse)",
    async () => {
      const dir = await directory();
      await writeLock(dir, { pid: process.pid, startTicks: "1" });
      const lock = await lockDataDirectory(dir, "latch serve");
      expect(JSON.parse(await lockText(dir)).startTicks).not.toBe("1");
      await lock.release();
    },
  );

  it("refuses a lock held on another host, which it cannot check, saying how to remove it", async () => {
    const dir = await directory();
    await writeLock(dir, { pid: 1, host: "elsewhere" });
    await expect(lockDataDirectory(dir, "latch serve")).rejects.toThrow(
      `the embedded database in ${dir} is in use by process 1 on host elsewhere (latch serve, since 2026-01-01T00:00:00.000Z): Latch cannot tell whether it still runs; if it does not, delete ${join(dir, LOCK_FILE)}`,
    );
  });

  it("refuses a lock file it did not write, rather than removing it", async () => {
    const dir = await directory();
    await writeFile(join(dir, LOCK_FILE), "something else");
    await expect(lockDataDirectory(dir, "latch serve")).rejects.toThrow(
      `${join(dir, LOCK_FILE)} does not name the process that holds the directory; if no Latch uses it, delete the file`,
    );
    expect(await lockText(dir)).toBe("something else");
  });

  it("leaves a lock that is no longer its own when released", async () => {
    const dir = await directory();
    const lock = await lockDataDirectory(dir, "latch serve");
    await writeLock(dir, { pid: process.pid, nonce: "another" });
    await lock.release();
    expect(JSON.parse(await lockText(dir)).nonce).toBe("another");
  });
});
