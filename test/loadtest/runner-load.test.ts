// The runner's account of itself: its CPU per iteration, and a warning when it, not the target,
// may have set the pace.

import { describe, expect, it } from "vitest";
import { type RunnerLoad, runnerWarning, watchRunner } from "../../src/loadtest/runner-load.js";
import { runnerText } from "../../src/loadtest/summary-text.js";

const idle: RunnerLoad = {
  cpuShare: 0.2,
  cpuMicros: 2_000_000,
  loopDelayP99Ms: 1.5,
  loopDelayMaxMs: 4,
  warning: undefined,
};

describe("runnerText", () => {
  it("says the runner's CPU per iteration and the rate its core allows", () => {
    expect(runnerText(idle, 50_000)).toBe(
      "  runner: CPU 20% of a core, 40µs per iteration (at most ~25000 iterations/s on one core); event loop delay p99 1.50ms, max 4ms",
    );
  });

  it("says no rate when no iteration ran, and shows the warning", () => {
    const text = runnerText({ ...idle, warning: "the runner was the bottleneck" }, 0);
    expect(text).not.toContain("per iteration");
    expect(text.split("\n")[1]).toBe("  ⚠ the runner was the bottleneck");
  });
});

describe("runnerWarning", () => {
  it("calls a full core the bottleneck, a late event loop a pace the runner may have set", () => {
    expect(runnerWarning(0.95, 2)).toMatch(/^the runner was the bottleneck: its CPU was 95%/);
    expect(runnerWarning(0.3, 25)).toMatch(/^the runner's event loop ran p99 25.0 ms late/);
    expect(runnerWarning(0.5, 3)).toBeUndefined();
  });
});

describe("watchRunner", () => {
  it("measures the runner's CPU over what it watched", () => {
    const stop = watchRunner();
    const until = performance.now() + 50;
    while (performance.now() < until) {
      // The runner's own work, with no I/O to wait on.
    }
    const load = stop();
    expect(load.cpuMicros).toBeGreaterThan(0);
    expect(load.cpuShare).toBeGreaterThan(0);
  });
});
