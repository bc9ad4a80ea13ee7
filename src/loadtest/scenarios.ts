// `options.scenarios` as the runner executes them: k6's `constant-arrival-rate`,
// `ramping-arrival-rate` (open models: iterations start on a schedule whatever the latency) and
// `constant-vus` (a closed model), each read with k6's defaults and checked field by field. With
// no scenarios, `options.duration` means constant VUs (`options.vus`, default 1), and otherwise
// one VU runs one iteration, as `k6 run` does.

import { parseDuration } from "./duration.js";
import { LoadTestError } from "./load-test-error.js";

/** k6's default time for iterations in flight to end after a scenario's duration. */
const GRACEFUL_STOP_MS = 30_000;

/** ArrivalSchedule says how many iterations are due by a time, and the rate at that time (per ms). */
export interface ArrivalSchedule {
  readonly durationMs: number;
  arrivalsBy(ms: number): number;
  rateAt(ms: number): number;
}

/** Scenario is one scenario, ready to run. */
export type Scenario = {
  readonly name: string;
  /** exec is the exported function each iteration calls. */
  readonly exec: string;
  readonly gracefulStopMs: number;
} & (
  | {
      readonly kind: "arrival-rate";
      readonly schedule: ArrivalSchedule;
      readonly preAllocatedVUs: number;
      readonly maxVUs: number;
    }
  | { readonly kind: "constant-vus"; readonly vus: number; readonly durationMs: number }
  | { readonly kind: "single-iteration" }
);

type Fields = Record<string, unknown>;

/** parseScenarios reads a script's options into the scenarios to run. */
export function parseScenarios(options: Fields): Scenario[] {
  const scenarios = options.scenarios;
  if (scenarios === undefined) {
    const base = { name: "default", exec: "default", gracefulStopMs: GRACEFUL_STOP_MS };
    if (options.duration === undefined) return [{ ...base, kind: "single-iteration" }];
    return [
      {
        ...base,
        kind: "constant-vus",
        vus: count(options.vus ?? 1, "options.vus", 1),
        durationMs: parseDuration(options.duration, "options.duration"),
      },
    ];
  }
  if (typeof scenarios !== "object" || scenarios === null) {
    throw new LoadTestError("options", "options.scenarios must be an object of name: scenario");
  }
  return Object.entries(scenarios as Record<string, Fields>).map(([name, fields]) =>
    scenario(name, fields),
  );
}

function scenario(name: string, fields: Fields): Scenario {
  const at = `options.scenarios.${name}`;
  const base = {
    name,
    exec: typeof fields.exec === "string" ? fields.exec : "default",
    gracefulStopMs:
      fields.gracefulStop === undefined
        ? GRACEFUL_STOP_MS
        : parseDuration(fields.gracefulStop, `${at}.gracefulStop`),
  };
  switch (fields.executor) {
    case "constant-vus":
      return {
        ...base,
        kind: "constant-vus",
        vus: count(fields.vus ?? 1, `${at}.vus`, 1),
        durationMs: parseDuration(fields.duration, `${at}.duration`),
      };
    case "constant-arrival-rate": {
      const perMs = rate(fields.rate, `${at}.rate`) / timeUnit(fields, at);
      const durationMs = parseDuration(fields.duration, `${at}.duration`);
      return {
        ...base,
        kind: "arrival-rate",
        schedule: { durationMs, arrivalsBy: (ms) => ms * perMs, rateAt: () => perMs },
        ...vus(fields, at),
      };
    }
    case "ramping-arrival-rate":
      return {
        ...base,
        kind: "arrival-rate",
        schedule: ramp(fields, at),
        ...vus(fields, at),
      };
    default:
      throw new LoadTestError(
        "options",
        `${at}.executor: ${JSON.stringify(fields.executor)} is not one the runner has (constant-arrival-rate, ramping-arrival-rate, constant-vus)`,
      );
  }
}

function vus(fields: Fields, at: string): { preAllocatedVUs: number; maxVUs: number } {
  const preAllocatedVUs = count(fields.preAllocatedVUs, `${at}.preAllocatedVUs`, 1);
  const maxVUs =
    fields.maxVUs === undefined ? preAllocatedVUs : count(fields.maxVUs, `${at}.maxVUs`, 1);
  if (maxVUs < preAllocatedVUs) {
    throw new LoadTestError(
      "options",
      `${at}.maxVUs (${maxVUs}) must be at least preAllocatedVUs (${preAllocatedVUs})`,
    );
  }
  return { preAllocatedVUs, maxVUs };
}

/** ramp integrates rates that move linearly from one stage's target to the next. */
function ramp(fields: Fields, at: string): ArrivalSchedule {
  const unit = timeUnit(fields, at);
  if (!Array.isArray(fields.stages) || fields.stages.length === 0) {
    throw new LoadTestError(
      "options",
      `${at}.stages must be a non-empty array of { target, duration }`,
    );
  }
  const stages: { start: number; end: number; from: number; to: number; before: number }[] = [];
  let start = 0;
  let from = fields.startRate === undefined ? 0 : rate(fields.startRate, `${at}.startRate`) / unit;
  let before = 0;
  for (const [i, stage] of (fields.stages as Fields[]).entries()) {
    const durationMs = parseDuration(stage.duration, `${at}.stages[${i}].duration`);
    const to = rate(stage.target, `${at}.stages[${i}].target`) / unit;
    stages.push({ start, end: start + durationMs, from, to, before });
    before += ((from + to) / 2) * durationMs;
    start += durationMs;
    from = to;
  }
  const stageAt = (ms: number) => stages.find((s) => ms < s.end) ?? stages[stages.length - 1]!;
  const rateIn = (s: (typeof stages)[number], ms: number) =>
    s.end === s.start
      ? s.to
      : s.from + ((s.to - s.from) * (Math.min(ms, s.end) - s.start)) / (s.end - s.start);
  return {
    durationMs: start,
    arrivalsBy(ms) {
      const s = stageAt(ms);
      const into = Math.min(ms, s.end) - s.start;
      return s.before + ((s.from + rateIn(s, ms)) / 2) * into;
    },
    rateAt: (ms) => rateIn(stageAt(ms), ms),
  };
}

function timeUnit(fields: Fields, at: string): number {
  const unit =
    fields.timeUnit === undefined ? 1000 : parseDuration(fields.timeUnit, `${at}.timeUnit`);
  if (unit <= 0) throw new LoadTestError("options", `${at}.timeUnit must be more than 0`);
  return unit;
}

function rate(value: unknown, field: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new LoadTestError(
      "options",
      `${field}: ${JSON.stringify(value)} is not a rate (a number of iterations, 0 or more)`,
    );
  }
  return value;
}

function count(value: unknown, field: string, least: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < least) {
    throw new LoadTestError(
      "options",
      `${field}: ${JSON.stringify(value)} is not an integer of at least ${least}`,
    );
  }
  return value;
}
