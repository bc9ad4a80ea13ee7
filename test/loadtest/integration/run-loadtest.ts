// Runs `npm run loadtest`'s entry point as a user runs it: a child process (built, when the build
// is fresh: the same code, started with less CPU).

import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { entryArguments } from "../../support/built-entry.js";

const MAIN = fileURLToPath(new URL("../../../src/loadtest/main.ts", import.meta.url));
const REPOSITORY = fileURLToPath(new URL("../../..", import.meta.url));

/** LoadtestRun is what the runner printed and how it exited. */
export interface LoadtestRun {
  readonly code: number | null;
  readonly output: string;
}

/** runLoadtest runs the runner with args in the repository's directory, until it exits. */
export function runLoadtest(args: string[]): Promise<LoadtestRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...entryArguments(MAIN), ...args], {
      cwd: REPOSITORY,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, output }));
  });
}

/** ExportedMetric is one metric of a `--summary-export` file, as the tests read it. */
export type ExportedMetric = Record<string, number> & { thresholds?: Record<string, boolean> };

/** readExport reads a `--summary-export` file's metrics. */
export async function readExport(file: string): Promise<Record<string, ExportedMetric>> {
  return (JSON.parse(await readFile(file, "utf8")) as { metrics: Record<string, ExportedMetric> })
    .metrics;
}
