// The runner's rules that need no target: thresholds as k6 writes them, the arrival schedules of
// the open-model executors, the statistics the summary and thresholds read, and the dataset
// every load script generates alike.

import { describe, expect, it } from "vitest";
import { generateDataset, sizesFor } from "../../loadtest/dataset.js";
import { LoadTestError } from "../../src/loadtest/load-test-error.js";
import { MetricRegistry, statsOf } from "../../src/loadtest/metric-registry.js";
import { parseScenarios } from "../../src/loadtest/scenarios.js";
import { parseThresholds } from "../../src/loadtest/thresholds.js";

function trend(values: number[]) {
  const registry = new MetricRegistry();
  const metric = registry.define("t", "trend", true);
  for (const [i, v] of values.entries()) {
    registry.add(metric, v, { kind: i % 2 === 0 ? "even" : "odd" });
  }
  return metric;
}

describe("thresholds", () => {
  it("judge percentiles, rates and counts as k6 does", () => {
    const [p99, avg] = parseThresholds({
      t: ["p(99)<10", { threshold: "avg>=2", abortOnFail: true }],
    });
    const stats = statsOf(trend([1, 2, 3, 4, 100]), {}, 1);
    expect(p99!.holds(stats)).toBe(false);
    expect(avg!.holds(stats)).toBe(true);
    expect(avg!.abortOnFail).toBe(true);
    const registry = new MetricRegistry();
    const rate = registry.define("checks", "rate");
    for (const v of [1, 1, 0, 1]) registry.add(rate, v, {});
    const [rateRule] = parseThresholds({ checks: ["rate==1"] });
    expect(rateRule!.observed(statsOf(rate, {}, 1))).toBe(0.75);
    const counter = registry.define("c", "counter");
    const [countRule] = parseThresholds({ c: ["count==0"] });
    expect(countRule!.holds(statsOf(counter, {}, 1))).toBe(true);
  });

  it("name the metric and the expression that does not parse", () => {
    expect(() => parseThresholds({ grpc_req_duration: ["p99 < 10"] })).toThrow(
      /options\.thresholds\.grpc_req_duration: "p99 < 10" is not a threshold/,
    );
  });

  it("select a submetric's samples by tag", () => {
    const stats = statsOf(trend([1, 50, 3, 60]), { kind: "even" }, 1);
    expect([stats.samples, stats.max]).toEqual([2, 3]);
  });
});

describe("scenarios", () => {
  it("schedule a constant arrival rate and a ramp by integrating the rate", () => {
    const [constant, ramp] = parseScenarios({
      scenarios: {
        constant: {
          executor: "constant-arrival-rate",
          rate: 50,
          timeUnit: "1s",
          duration: "2s",
          preAllocatedVUs: 2,
        },
        ramp: {
          executor: "ramping-arrival-rate",
          startRate: 0,
          stages: [
            { target: 100, duration: "2s" },
            { target: 100, duration: "1s" },
          ],
          preAllocatedVUs: 1,
          maxVUs: 3,
        },
      },
    });
    if (constant?.kind !== "arrival-rate" || ramp?.kind !== "arrival-rate")
      throw new Error("not arrival-rate");
    expect(constant.schedule.arrivalsBy(2000)).toBeCloseTo(100);
    expect(constant.maxVUs).toBe(2);
    expect(ramp.schedule.durationMs).toBe(3000);
    expect(ramp.schedule.arrivalsBy(1000)).toBeCloseTo(25);
    expect(ramp.schedule.arrivalsBy(3000)).toBeCloseTo(200);
  });

  it("default to one iteration, and refuse what the runner has not", () => {
    expect(parseScenarios({})).toMatchObject([{ kind: "single-iteration" }]);
    expect(() => parseScenarios({ scenarios: { s: { executor: "per-vu-iterations" } } })).toThrow(
      LoadTestError,
    );
    expect(() =>
      parseScenarios({ scenarios: { s: { executor: "constant-vus", duration: "ten" } } }),
    ).toThrow(/options\.scenarios\.s\.duration: "ten" is not a duration/);
  });
});

describe("the load dataset", () => {
  it("is the same from the same seed, with allowed and denied checks, some on behalf of people", () => {
    const one = generateDataset(sizesFor(300));
    expect(generateDataset(sizesFor(300))).toEqual(one);
    const allowed = one.checks.filter((c) => c.allowed).length;
    expect(allowed).toBeGreaterThan(0);
    expect(allowed).toBeLessThan(one.checks.length);
    expect(one.checks.some((c) => c.agent !== "")).toBe(true);
    expect(one.relationships.every((r) => r.resource.id.startsWith("lt_"))).toBe(true);
  });
});
