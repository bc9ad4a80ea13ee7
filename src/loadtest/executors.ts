// The executors: how a scenario's iterations start. Arrival-rate executors start iterations on a
// schedule from a monotonic clock, catching up on every arrival due since the last timer (Node's
// timers fire at best each millisecond), each on a free VU, a new one while under maxVUs, or else
// counted in `dropped_iterations`: the open model, where a slow target does not slow the load.

import type { LoadRun, Vu } from "./load-run.js";
import type { Scenario } from "./scenarios.js";

/** The longest a scheduler sleeps when no arrival is due soon (a ramp from rate 0). */
const IDLE_TICK_MS = 10;

/** runScenario runs scenario to its end, then waits (up to its graceful stop) for its iterations. */
export async function runScenario(run: LoadRun, scenario: Scenario, data: unknown): Promise<void> {
  const running = new Set<Promise<void>>();
  const start = (vu: Vu, done: () => void) => {
    const iteration = run.iterate(vu, scenario.exec, data).finally(() => {
      running.delete(iteration);
      done();
    });
    running.add(iteration);
  };
  switch (scenario.kind) {
    case "single-iteration":
      start(run.makeVu(scenario.name), () => undefined);
      break;
    case "constant-vus":
      await constantVus(
        run,
        scenario.vus,
        scenario.durationMs,
        (vu) => run.iterate(vu, scenario.exec, data),
        scenario.name,
      );
      break;
    case "arrival-rate":
      await arrivals(run, scenario, start);
      break;
  }
  await gracefully(running, scenario.gracefulStopMs);
}

async function constantVus(
  run: LoadRun,
  count: number,
  durationMs: number,
  iterate: (vu: Vu) => Promise<void>,
  name: string,
): Promise<void> {
  const end = performance.now() + durationMs;
  const vus = Array.from({ length: count }, () => run.makeVu(name));
  await Promise.all(
    vus.map(async (vu) => {
      while (performance.now() < end && !run.aborted) {
        await iterate(vu);
        // An iteration that never waits on I/O would otherwise hold the event loop.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }),
  );
}

async function arrivals(
  run: LoadRun,
  scenario: Extract<Scenario, { kind: "arrival-rate" }>,
  start: (vu: Vu, done: () => void) => void,
): Promise<void> {
  const dropped = run.registry.define("dropped_iterations", "counter");
  const droppedTags = { scenario: scenario.name };
  const free: Vu[] = [];
  for (let i = 0; i < scenario.preAllocatedVUs; i++) free.push(run.makeVu(scenario.name));
  let made = scenario.preAllocatedVUs;
  const { schedule } = scenario;
  const began = performance.now();
  let started = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const elapsed = Math.min(performance.now() - began, schedule.durationMs);
      const due = Math.floor(schedule.arrivalsBy(elapsed));
      for (; started < due; started++) {
        let vu = free.pop();
        if (vu === undefined && made < scenario.maxVUs) {
          vu = run.makeVu(scenario.name);
          made++;
        }
        if (vu === undefined) {
          run.registry.add(dropped, 1, droppedTags);
          continue;
        }
        const taken = vu;
        start(taken, () => free.push(taken));
      }
      if (elapsed >= schedule.durationMs || run.aborted) {
        resolve();
        return;
      }
      const perMs = schedule.rateAt(elapsed);
      const untilNext = perMs > 0 ? (due + 1 - schedule.arrivalsBy(elapsed)) / perMs : IDLE_TICK_MS;
      setTimeout(tick, Math.min(IDLE_TICK_MS, Math.max(1, untilNext)));
    };
    tick();
  });
}

async function gracefully(running: Set<Promise<void>>, gracefulStopMs: number): Promise<void> {
  if (running.size === 0) return;
  let timer: NodeJS.Timeout | undefined;
  const stop = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, gracefulStopMs);
  });
  await Promise.race([Promise.all(running), stop]);
  clearTimeout(timer);
}
