import { describe, expect, it } from "vitest";
import {
  DecisionIdClock,
  decisionIdBytes,
  decisionIdFromBytes,
  decisionIdTime,
  newDecisionId,
} from "../../src/decisions/decision-id.js";

describe("decision ids", () => {
  it("are UUIDv7s that carry their time, and increase in the order they are made", () => {
    const now = Date.UTC(2026, 11, 1, 12, 0, 0, 123);
    const clock = new DecisionIdClock();
    const made = Array.from({ length: 5000 }, () => clock.next(now));
    for (const { id, time } of made) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(decisionIdTime(id)).toEqual(time);
    }
    const ids = made.map((m) => m.id);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    // 5,000 in one millisecond outrun the 12-bit counter: later ones borrow the next milliseconds.
    expect(made[0]!.time.getTime()).toBe(now);
    expect(made[made.length - 1]!.time.getTime()).toBeGreaterThan(now);
  });

  it("keep increasing when the clock steps back", () => {
    const clock = new DecisionIdClock();
    const first = clock.next(Date.UTC(2030, 0, 1));
    const second = clock.next(Date.UTC(2029, 0, 1));
    expect(second.id > first.id).toBe(true);
  });

  it("round-trip through their 16 bytes", () => {
    const { id } = newDecisionId();
    expect(decisionIdFromBytes(decisionIdBytes(id))).toBe(id);
  });

  it("refuse text that is not a UUIDv7 in canonical form", () => {
    const { id } = newDecisionId();
    for (const bad of [
      "",
      "nope",
      id.toUpperCase(),
      id.replaceAll("-", ""),
      // a UUIDv4
      "2f1e7c3a-9b4d-4c5e-8f6a-7b8c9d0e1f2a",
      `${id}0`,
    ]) {
      expect(decisionIdTime(bad), bad).toBeUndefined();
    }
  });
});
