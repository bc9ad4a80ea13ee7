// The server benchmark's child processes: each pinned to a core with taskset where it can be, and
// all of them killed when the driver exits, however it exits.

import { type ChildProcess, type StdioOptions, spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const REPOSITORY = fileURLToPath(new URL("../../", import.meta.url));
const children = new Set<ChildProcess>();

/** Cores says which core the server and the load generator run on, or why they are not pinned. */
export type Cores =
  | { readonly pinned: true; readonly server: number; readonly load: number }
  | { readonly pinned: false; readonly reason: string };

/** pickCores chooses two cores this process may run on (`taskset -cp`), or says why it cannot. */
export function pickCores(): Cores {
  const probe = spawnSync("taskset", ["-cp", String(process.pid)], { encoding: "utf8" });
  if (probe.error !== undefined || probe.status !== 0) {
    return { pinned: false, reason: "taskset (util-linux) is not available" };
  }
  const list = probe.stdout.slice(probe.stdout.lastIndexOf(":") + 1).trim();
  const cores = list.split(",").flatMap((part) => {
    const [from = "", to = from] = part.split("-");
    const range: number[] = [];
    for (let core = Number(from); core <= Number(to); core++) range.push(core);
    return range;
  });
  if (cores.length < 2 || cores.some(Number.isNaN)) {
    return { pinned: false, reason: `this process may only run on cores ${list}` };
  }
  return { pinned: true, server: cores[0]!, load: cores[1]! };
}

/**
 * spawnBenchChild runs a TypeScript file of the repository in a new node (through tsx's loader, in
 * this same process, so its pid is the one to measure), with fileArgs, on core when given, node
 * started with nodeFlags.
 */
export function spawnBenchChild(
  file: string,
  core: number | undefined,
  stdio: StdioOptions,
  fileArgs: readonly string[] = [],
  nodeFlags: readonly string[] = [],
): ChildProcess {
  const node = [process.execPath, ...nodeFlags, "--import", "tsx", file, ...fileArgs];
  const [command, ...args] = core === undefined ? node : ["taskset", "-c", String(core), ...node];
  const child = spawn(command!, args, { cwd: REPOSITORY, stdio });
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

/** killBenchChildren kills every child still running. */
export function killBenchChildren(): void {
  for (const child of children) child.kill("SIGKILL");
  children.clear();
}

process.once("exit", killBenchChildren);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.once(signal, () => {
    killBenchChildren();
    process.exit(128 + (signal === "SIGINT" ? 2 : signal === "SIGTERM" ? 15 : 1));
  });
}
