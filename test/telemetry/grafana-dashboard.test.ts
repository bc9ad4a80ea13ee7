// The Grafana dashboard in deploy/: valid JSON whose every query reads series the server exports.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createMetrics } from "../../src/telemetry/metrics.js";

interface Panel {
  readonly type: string;
  readonly title: string;
  readonly targets?: readonly { readonly expr: string }[];
}

const dashboard = JSON.parse(
  readFileSync(new URL("../../deploy/grafana/latch-dashboard.json", import.meta.url), "utf8"),
) as { readonly panels: readonly Panel[] };

/** exported are the metric names of a server with every optional series on. */
function exported(): Set<string> {
  const metrics = createMetrics();
  metrics.watchDecisionQueue(() => 0);
  metrics.watchPool(() => ({ total: 0, idle: 0, waiting: 0 }));
  return new Set(metrics.registry.getMetricsAsArray().map((metric) => metric.name));
}

describe("the Grafana dashboard", () => {
  it("queries only series /metrics exports, and shows each of them", () => {
    const names = exported();
    const used = new Set<string>();
    for (const panel of dashboard.panels.filter((p) => p.type !== "row")) {
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const { expr } of panel.targets ?? []) {
        for (const [series] of expr.matchAll(/(?:latch|nodejs)_[a-z_]+/g)) {
          const name = series.replace(/_(bucket|count|sum)$/, "");
          expect(names, `${panel.title}: ${series}`).toContain(name);
          used.add(name);
        }
      }
    }
    expect([...used].sort()).toEqual([...names].sort());
  });
});
