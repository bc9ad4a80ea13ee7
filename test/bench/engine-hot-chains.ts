// The engine's CPU per check answered from the in-process cache, plain and on behalf of a subject:
// the legs of an on-behalf-of check are each a cached sub-problem, looked up like any other.

import { withBuiltinDefinitions } from "../../src/agents/builtin-schema.js";
import { ChangeTracker } from "../../src/cache/change-tracker.js";
import { MemoryResultCache } from "../../src/cache/memory-result-cache.js";
import { createCombinedDispatcher } from "../../src/dispatch/combined-dispatcher.js";
import { type CheckRequest, createCheckEngine } from "../../src/engine/check-engine.js";
import { loadSchema } from "../../src/schema/load-schema.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import type { Relationship } from "../../src/tuple/relationship.js";
import { AGENT_SCHEMA, agentOf, agentsFor } from "./bench-agents.js";

/** HotRow is one kind of check, answered from the cache: its engine CPU per check and its answers. */
export interface HotRow {
  readonly name: string;
  readonly cpuMicros: number;
  readonly allowed: number;
}

/** ROUNDS of every kind alternate, and each kind's median round counts: the machine is shared. */
const ROUNDS = 7;
/** Each round asks the sequence this many times, long enough for the CPU clock. */
const REPEATS = 10;

/**
 * measureHotChains fills the in-process cache with the answers to `checks` (document, user) over
 * `relationships`, each user with an agent of its own and an agent acting for that one (see
 * agentsFor), then times answerAtOnce (what a server's hot path calls): plain checks on a
 * schema without suspensions (as before them), plain checks with the subject's suspension leg,
 * and checks on behalf of the user by its agent, and by both agents.
 */
export async function measureHotChains(
  relationships: readonly Relationship[],
  checks: readonly (readonly [string, string])[],
): Promise<HotRow[]> {
  const chained = [...relationships, ...agentsFor(relationships)];
  const store = createMemoryStore({ maxUpdatesPerWrite: 10_000 });
  for (let i = 0; i < chained.length; i += 10_000) {
    await store.write(
      chained.slice(i, i + 10_000).map((relationship) => ({ operation: "touch", relationship })),
    );
  }
  const revision = await store.headRevision();
  const tracker = new ChangeTracker(store, revision);
  try {
    const loaded = loadSchema(AGENT_SCHEMA);
    if (!loaded.ok) throw new Error(loaded.diagnostics.map((d) => d.message).join("\n"));
    // With suspensions as a server serves the schema, or without, as before them.
    const engineFor = (withSuspensions: boolean) =>
      createCheckEngine({
        schema: withSuspensions ? withBuiltinDefinitions(loaded.schema) : loaded.schema,
        dispatcher: createCombinedDispatcher({
          results: new MemoryResultCache(),
          tracker,
          keyPrefix: withSuspensions ? "s|" : "p|",
        }),
      });
    const before = engineFor(false);
    const engine = engineFor(true);
    const request = (document: string, user: string, actors: number): CheckRequest => ({
      resource: { type: "document", id: document },
      permission: "view",
      subject: { type: "user", id: user },
      actors: [agentOf(user), agentOf(agentOf(user))]
        .slice(0, actors)
        .map((id) => ({ type: "agent", id })),
    });
    const kinds = [
      { name: "plain, schema without suspensions", engine: before, actors: 0 },
      { name: "plain (the subject's suspension and permission legs)", engine, actors: 0 },
      { name: "on behalf of, 1 actor (5 legs)", engine, actors: 1 },
      { name: "on behalf of, 2 actors (8 legs)", engine, actors: 2 },
    ];
    const requests = kinds.map((kind) =>
      checks.map(([document, user]) => request(document, user, kind.actors)),
    );
    const now = Date.now();
    const reader = store.snapshot(revision, new Date(now));
    const allowed = await Promise.all(
      kinds.map(async (kind, k) => {
        let count = 0;
        for (const question of requests[k]!) {
          if ((await kind.engine.check(reader, question)).result === "allowed") count++;
        }
        return count;
      }),
    );
    const rounds: number[][] = kinds.map(() => []);
    for (let round = 0; round < ROUNDS; round++) {
      kinds.forEach((kind, k) => {
        const started = process.cpuUsage();
        let answered = 0;
        for (let repeat = 0; repeat < REPEATS; repeat++) {
          for (const question of requests[k]!) {
            if (kind.engine.answerAtOnce(question, now) !== undefined) answered++;
          }
        }
        const used = process.cpuUsage(started);
        const asked = REPEATS * checks.length;
        if (answered !== asked)
          throw new Error(`${kind.name}: ${asked - answered} checks were not in the cache`);
        rounds[k]!.push((used.user + used.system) / asked);
      });
    }
    return kinds.map((kind, k) => ({
      name: kind.name,
      cpuMicros: [...rounds[k]!].sort((a, b) => a - b)[(ROUNDS - 1) / 2]!,
      allowed: allowed[k]!,
    }));
  } finally {
    tracker.close();
    await store.close();
  }
}
