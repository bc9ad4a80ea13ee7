// A process's CPU time as Linux accounts it (/proc/<pid>/stat), for the server benchmark.

import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** clockTicksPerSecond is the unit of /proc's CPU times (`getconf CLK_TCK`, almost always 100). */
export function clockTicksPerSecond(): number {
  try {
    const ticks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
    return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}

/**
 * cpuTicks is the user plus system CPU time that process pid (every thread of it: the event loop,
 * libuv's pool, V8's GC helpers) has used so far, in clock ticks.
 */
export function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name (field 2) may hold spaces and parentheses; the fields after it do not.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // Fields 14 and 15 of the line (utime, stime); fields[0] here is field 3 (state).
  return Number(fields[11]) + Number(fields[12]);
}

/**
 * ticksOfProcessesNamed is the CPU time (user plus system, in clock ticks) of every running process
 * whose command name is name (`postgres`: the server and each backend); a process that ends
 * between listing and reading is left out.
 */
export function ticksOfProcessesNamed(name: string): number {
  let total = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, "utf8").trim() === name)
        total += cpuTicks(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return total;
}
