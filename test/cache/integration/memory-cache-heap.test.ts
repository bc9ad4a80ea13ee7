// The default in-process cache under a small V8 heap: distinct checks overflow it many times, and the process lives.

import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, it } from "vitest";
import type { FillReport } from "./fill-memory-cache.js";

const FILL = fileURLToPath(new URL("./fill-memory-cache.ts", import.meta.url));
/**
 * Enough checks that, kept whole, their entries (two each) would outgrow a 256 MiB heap: the
 * cache sized from the machine's memory alone let the process die of them.
 */
const CHECKS = 300_000;

it("stays within a quarter of a 256 MiB heap, its estimate honest, while 300,000 distinct checks overflow it", async () => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--expose-gc", "--max-old-space-size=256", "--import", "tsx", FILL, String(CHECKS)],
    { maxBuffer: 1024 * 1024 },
  );
  const report = JSON.parse(stdout.trim().split("\n").at(-1)!) as FillReport;
  expect(report.checks).toBe(CHECKS);
  expect(report.maxBytes).toBeLessThanOrEqual(report.heapLimit / 4);
  expect(report.offeredBytes).toBeGreaterThan(4 * report.maxBytes);
  // What the cache holds takes no more heap than its estimate says.
  expect(report.grownBytes).toBeLessThanOrEqual(report.maxBytes);
}, 180_000);
