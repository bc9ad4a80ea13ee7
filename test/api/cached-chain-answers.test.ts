// Checks the cache answers on behalf of agents, and checks of suspended members, on generated data:
// each answer says who failed and why, leg by leg, exactly as the same check evaluated afresh does
// (the server shares one response among the checks whose legs came out alike).

import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { AGENT_SCHEMA } from "../agents/agent-schema.js";
import {
  type JsonMessage,
  relationship,
  subject,
  unary,
  update,
  useTestServer,
} from "./api-harness.js";

const test = useTestServer();

const USERS = 3;
const AGENTS = 3;
const DOCUMENTS = 3;
/** Generated worlds, each asked every check. */
const RUNS = 12;

beforeAll(async () => {
  await unary(test().clients.schema, "WriteSchema", { schema: AGENT_SCHEMA });
});

/** World is one run's data: which relationships hold and who is suspended, by index. */
interface World {
  readonly owners: readonly (readonly [agent: number, user: number])[];
  readonly userViewers: readonly (readonly [document: number, user: number])[];
  readonly agentViewers: readonly (readonly [document: number, agent: number])[];
  readonly suspendedUsers: readonly number[];
  readonly suspendedAgents: readonly number[];
}

const pairs = (first: number, second: number) =>
  fc.uniqueArray(fc.tuple(fc.nat(first - 1), fc.nat(second - 1)), {
    selector: ([a, b]) => `${a},${b}`,
    maxLength: first * second,
  });
const someOf = (count: number) => fc.uniqueArray(fc.nat(count - 1), { maxLength: count });

const worlds: fc.Arbitrary<World> = fc.record({
  owners: pairs(AGENTS, USERS),
  userViewers: pairs(DOCUMENTS, USERS),
  agentViewers: pairs(DOCUMENTS, AGENTS),
  suspendedUsers: someOf(USERS),
  suspendedAgents: someOf(AGENTS),
});

let run = 0;

/** writeWorld writes a world under ids of its own (`r<run>…`), and returns how to name them. */
async function writeWorld(world: World) {
  const prefix = `r${run++}`;
  const user = (i: number) => subject("user", `${prefix}u${i}`);
  const agent = (i: number) => subject("agent", `${prefix}a${i}`);
  const named = (s: JsonMessage) => `${s.object.type}:${s.object.id}`;
  const relationships = [
    ...world.owners.map(([a, u]) => relationship(named(agent(a)), "owner", named(user(u)))),
    ...world.userViewers.map(([d, u]) =>
      relationship(`document:${prefix}d${d}`, "viewer", named(user(u))),
    ),
    ...world.agentViewers.map(([d, a]) =>
      relationship(`document:${prefix}d${d}`, "viewer", named(agent(a))),
    ),
  ];
  const { clients } = test();
  if (relationships.length > 0) {
    await unary(clients.relationships, "WriteRelationships", {
      updates: relationships.map((rel) => update("TOUCH", rel)),
    });
  }
  const suspended = [...world.suspendedUsers.map(user), ...world.suspendedAgents.map(agent)];
  for (const who of suspended) {
    await unary(clients.agents, "Suspend", { subject: who, reason: "generated" });
  }
  return { prefix, user, agent };
}

/** What an answer says of who failed and why, leg by leg. */
const decisionOf = (answer: JsonMessage) => ({
  result: answer.result,
  deniedBy: answer.deniedBy,
  reason: answer.reason,
  legs: answer.legs,
  missingParameters: answer.missingParameters,
});

describe("checks answered from the cache", () => {
  it("name who in the chain failed, why and every leg, as the same check evaluated afresh", async () => {
    let fromCache = 0;
    await fc.assert(
      fc.asyncProperty(worlds, async (world) => {
        const { prefix, user, agent } = await writeWorld(world);
        for (let d = 0; d < DOCUMENTS; d++) {
          for (let u = 0; u < USERS; u++) {
            for (const actors of [[], ...Array.from({ length: AGENTS }, (_, a) => [agent(a)])]) {
              const question = {
                resource: { type: "document", id: `${prefix}d${d}` },
                permission: "view",
                subject: user(u),
                actors,
              };
              const ask = (consistency: JsonMessage) =>
                unary(test().clients.permissions, "Check", { ...question, consistency });
              const afresh = await ask({ fullyConsistent: true });
              expect(afresh.servedFromCache).toBe(false);
              let cached = await ask({ minimizeLatency: true });
              for (let attempt = 0; !cached.servedFromCache && attempt < 50; attempt++) {
                cached = await ask({ minimizeLatency: true });
              }
              if (cached.servedFromCache) fromCache++;
              expect(decisionOf(cached), JSON.stringify(question)).toEqual(decisionOf(afresh));
            }
          }
        }
      }),
      { numRuns: RUNS, seed: 20261206 },
    );
    // Nearly every check reached the cache: the comparison was of cached answers.
    expect(fromCache).toBeGreaterThan(0.9 * RUNS * DOCUMENTS * USERS * (AGENTS + 1));
  });
});
