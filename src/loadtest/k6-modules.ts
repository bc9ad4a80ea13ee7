// The k6 modules a VU's script imports: `k6` (check, fail), `k6/data` (SharedArray),
// `k6/metrics` (Counter, Gauge, Rate, Trend) and `k6/net/grpc`. `sleep` and `group` are left out:
// k6's sleep blocks the VU, which Node cannot do without blocking every VU.

import { grpcModule } from "./k6-grpc.js";
import { LoadTestError } from "./load-test-error.js";
import type { MetricType } from "./metric-registry.js";
import { type K6Module, sampleTags, type VuContext } from "./vu-context.js";

/** K6_MODULES are the module names the runner provides, which bundling leaves to it. */
export const K6_MODULES = ["k6", "k6/data", "k6/metrics", "k6/net/grpc"] as const;

/** k6Modules makes the k6 modules of vu, by name. */
export function k6Modules(vu: VuContext): Record<string, K6Module> {
  const checks = vu.registry.define("checks", "rate");
  const check = (
    value: unknown,
    sets: Record<string, (value: unknown) => unknown>,
    tags?: object,
  ): boolean => {
    let all = true;
    for (const [name, checker] of Object.entries(sets)) {
      const passed = Boolean(checker(value));
      all &&= passed;
      vu.registry.add(checks, passed ? 1 : 0, sampleTags(vu, tags, name));
    }
    return all;
  };
  const fail = (message?: string): never => {
    throw new Error(message ?? "fail() called");
  };
  const core = { check, fail };

  const metricClass = (type: MetricType) =>
    class {
      private readonly metric;
      constructor(
        readonly name: string,
        isTime = false,
      ) {
        this.metric = vu.registry.define(name, type, isTime);
      }
      add(value: number | boolean, tags?: object): void {
        vu.registry.add(this.metric, Number(value), sampleTags(vu, tags));
      }
    };
  const metrics = {
    Counter: metricClass("counter"),
    Gauge: metricClass("gauge"),
    Rate: metricClass("rate"),
    Trend: metricClass("trend"),
  };

  // Called with `new`, a function returning an object yields that object: the shared array.
  function SharedArray(name: string, make: () => unknown[]): readonly unknown[] {
    let array = vu.shared.get(name);
    if (array === undefined) {
      const made = make();
      if (!Array.isArray(made))
        throw new LoadTestError("script", `SharedArray ${name}: the callback must return an array`);
      array = Object.freeze(made);
      vu.shared.set(name, array);
    }
    return array;
  }
  const data = { SharedArray };

  const grpc = grpcModule(vu);
  return {
    k6: { ...core, default: core },
    "k6/data": { ...data, default: data },
    "k6/metrics": { ...metrics, default: metrics },
    "k6/net/grpc": grpc,
  };
}
