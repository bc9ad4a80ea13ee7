// The widening time windows of tests: a missed window is tried again wider, anything else fails.

import { describe, expect, it } from "vitest";
import { TimeWindow, WindowMissed, widening } from "./time-window.js";

/** missedBy settles after window has closed, with outcome. */
async function missedBy<T>(window: TimeWindow, outcome: () => T): Promise<T> {
  await window.closed();
  return outcome();
}

describe("TimeWindow", () => {
  it("passes on what settles before its end, the value or the error", async () => {
    const window = new TimeWindow(60_000);
    expect(await window.inTime(Promise.resolve(7))).toBe(7);
    await expect(window.inTime(Promise.reject(new Error("refused")))).rejects.toThrow("refused");
  });

  it("turns whatever settles after its end into WindowMissed, a rejection included", async () => {
    const window = new TimeWindow(1);
    await expect(window.inTime(missedBy(window, () => 7))).rejects.toBeInstanceOf(WindowMissed);
    await expect(
      window.inTime(
        missedBy(window, () => {
          throw new Error("expired before the write");
        }),
      ),
    ).rejects.toBeInstanceOf(WindowMissed);
  });
});

describe("widening", () => {
  it("tries the next, wider window after a miss, and returns the first attempt that fits", async () => {
    const tried: number[] = [];
    const result = await widening([1, 2, 60_000], async (window) => {
      tried.push(window.ms);
      return window.inTime(
        window.ms < 60_000 ? missedBy(window, () => "late") : Promise.resolve("in time"),
      );
    });
    expect(result).toBe("in time");
    expect(tried).toEqual([1, 2, 60_000]);
  });

  it("fails at once on any other error, and on a miss of the widest window", async () => {
    const tried: number[] = [];
    await expect(
      widening([60_000, 120_000], async (window) => {
        tried.push(window.ms);
        throw new Error("a wrong answer");
      }),
    ).rejects.toThrow("a wrong answer");
    expect(tried).toEqual([60_000]);
    await expect(
      widening([1, 2], (window) => window.inTime(missedBy(window, () => "late"))),
    ).rejects.toThrow("a step settled after its 2 ms window had closed");
  });
});
