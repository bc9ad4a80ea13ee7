// A write between two legs cannot split a decision: on Postgres, checks on behalf of a subject run
// through the cached engine (as a server runs them) while writes land between their legs and checks
// at the newer revisions fill the cache; every answer equals the reference's at the revision it
// was read at.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChangeTracker } from "../../../src/cache/change-tracker.js";
import { MemoryResultCache } from "../../../src/cache/memory-result-cache.js";
import { createCombinedDispatcher } from "../../../src/dispatch/combined-dispatcher.js";
import {
  type CheckRequest,
  type CheckResult,
  createCheckEngine,
} from "../../../src/engine/check-engine.js";
import type { Revision } from "../../../src/revision/revision.js";
import { loadSchema } from "../../../src/schema/load-schema.js";
import { createPostgresStore } from "../../../src/store/postgres/postgres-store.js";
import type { SnapshotReader, Store } from "../../../src/store/store.js";
import { formatRelationship, formatSubjectRef } from "../../../src/tuple/format-relationship.js";
import { parseRelationship } from "../../../src/tuple/parse-relationship.js";
import type { Relationship, SubjectRef } from "../../../src/tuple/relationship.js";
import { seededRandom } from "../../bench/engine-dataset.js";
import { suspensionDefinition } from "../../generators/index.js";
import { decideOnBehalf } from "../../reference/reference-chain.js";
import { evaluateAll } from "../../reference/reference-evaluator.js";
import {
  createTestDatabase,
  postgresForTests,
  type TestDatabase,
} from "../../store/postgres/test-database.js";
import {
  CHAIN_RULES,
  engineAnswer,
  referenceAnswer,
  referenceLegs,
} from "../chain-test-helpers.js";

const SUITE = "decisions on behalf of a subject, with writes between their legs";
const ROUNDS = 150;

const SCHEMA = `use expiration
caveat latch/suspension_note(reason string, suspended_by string, suspended_at timestamp) {
  reason == reason && suspended_by == suspended_by && suspended_at == suspended_at
}
definition user {}
definition group {
  relation member: user | agent | group#member
}
definition agent {
  relation delegate: user | agent | group#member
  permission act_for = delegate
}
definition document {
  relation viewer: user | agent | group#member
  relation banned: user | agent
  permission view = viewer - banned
}
${suspensionDefinition(["user", "group", "agent", "document"])}
`;

const NOTE = `[latch/suspension_note:{"reason":"t","suspended_at":"2025-06-01T00:00:00Z","suspended_by":"t"}][expiration:2099-01-01T00:00:00Z]`;

/** Every relationship the writer flips in or out: each is a leg of some chain below. */
const FLIPPED = [
  "agent:bot#delegate@user:alice",
  "agent:sub#delegate@agent:bot",
  "document:plan#viewer@user:alice",
  "document:plan#viewer@agent:bot",
  "document:plan#viewer@group:team#member",
  "group:team#member@group:core#member",
  "group:core#member@agent:sub",
  "group:core#member@agent:bot",
  "group:team#member@agent:bot",
  "agent:sub#delegate@group:core#member",
  "document:plan#banned@agent:sub",
  `latch/suspension:all#suspended@agent:sub${NOTE}`,
  `latch/suspension:all#suspended@user:alice${NOTE}`,
].map((line) => {
  const parsed = parseRelationship(line);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.value;
});

const user = (id: string): SubjectRef => ({ type: "user", id });
const agent = (id: string): SubjectRef => ({ type: "agent", id });
/** CHAINS are asked about the plan by checks whose walks writes interrupt. */
const CHAINS: CheckRequest[] = [
  [user("alice")],
  [user("alice"), agent("bot")],
  [user("alice"), agent("bot"), agent("sub")],
  [agent("bot"), agent("sub")],
].map(([subject, ...actors]) => ({
  resource: { type: "document", id: "plan" },
  permission: "view",
  subject: subject!,
  actors,
}));

/**
 * PARTS are sub-problems deep in the chains' legs (nested group membership, delegations), asked
 * by themselves after each write: their answers at the newer revision are in the cache when the
 * interrupted walks, past their first read, reach them.
 */
const PARTS: CheckRequest[] = [
  ...["team", "core"].flatMap((group) =>
    [agent("bot"), agent("sub")].map((subject) => ({
      resource: { type: "group", id: group },
      permission: "member",
      subject,
    })),
  ),
  { resource: { type: "agent", id: "bot" }, permission: "act_for", subject: user("alice") },
  { resource: { type: "agent", id: "sub" }, permission: "act_for", subject: agent("bot") },
];

/** Answer is what the cached engine said, and the revision it read at. */
interface Answer {
  readonly question: CheckRequest;
  readonly revision: Revision;
  readonly result: CheckResult;
}

const connectionString = await postgresForTests(SUITE);

describe.runIf(connectionString)(SUITE, () => {
  let database: TestDatabase;
  let store: Store;
  let tracker: ChangeTracker;

  beforeAll(async () => {
    database = await createTestDatabase(connectionString!);
    store = await createPostgresStore({ connectionString: database.url });
    tracker = new ChangeTracker(store, (await store.head()).revision);
  });
  afterAll(async () => {
    tracker?.close();
    await store?.close();
    await database?.drop();
  });

  it("each answer equals the reference's at its revision", async () => {
    const loaded = loadSchema(SCHEMA);
    if (!loaded.ok) throw new Error(loaded.diagnostics.map((d) => d.message).join("\n"));
    const { schema } = loaded;
    const engine = createCheckEngine({
      schema,
      dispatcher: createCombinedDispatcher({
        results: new MemoryResultCache(),
        tracker,
        keyPrefix: "test|",
      }),
    });
    const random = seededRandom(12);
    const live = new Set(FLIPPED.map((_, i) => i));
    /** The relationships live after each write, by its revision. */
    const states: { revision: Revision; live: Relationship[] }[] = [];
    const first = await store.write(
      FLIPPED.map((relationship) => ({ operation: "touch", relationship })),
    );
    states.push({ revision: first.revision, live: [...FLIPPED] });
    expect(await tracker.waitFor(first.revision, 10_000)).toBe(true);

    // One evaluation time for every check, as for requests within one millisecond: only
    // revisions then tell apart what the cache holds from before and after each write.
    const at = new Date();
    /** ask answers as a server does at minimize_latency: from the cache at once, else from the store. */
    const ask = async (question: CheckRequest, reader: SnapshotReader): Promise<Answer> => ({
      question,
      revision: reader.revision,
      result: engine.answerAtOnce(question, at.getTime()) ?? (await engine.check(reader, question)),
    });
    const answers: Answer[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Checks at the tracker's revision start, and their reads wait...
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const snapshot = store.snapshot(tracker.appliedRevision, at);
      const held: SnapshotReader = {
        revision: snapshot.revision,
        now: snapshot.now,
        query: (filter, options) => gate.then(() => snapshot.query(filter, options)),
      };
      const early = Promise.all(CHAINS.map((question) => ask(question, held)));
      // ...while a write lands and checks at its revision answer, caching what they compute...
      const index = Math.floor(random() * FLIPPED.length);
      const removing = live.has(index);
      if (removing) live.delete(index);
      else live.add(index);
      const { revision } = await store.write([
        { operation: removing ? "delete" : "touch", relationship: FLIPPED[index]! },
      ]);
      states.push({ revision, live: [...live].map((j) => FLIPPED[j]!) });
      expect(await tracker.waitFor(revision, 10_000)).toBe(true);
      const later = store.snapshot(revision, at);
      for (const question of PARTS) answers.push(await ask(question, later));
      // ...then the early checks go on with their walks, at their own revision.
      release();
      answers.push(...(await early));
    }

    const revisions = new Set(answers.map((a) => a.revision));
    expect(revisions.size).toBe(ROUNDS + 1);
    const models = new Map<Revision, ReturnType<typeof evaluateAll>>();
    for (const answer of answers) {
      const state = states.filter((s) => s.revision <= answer.revision).at(-1)!;
      let model = models.get(state.revision);
      if (model === undefined) {
        model = evaluateAll(schema, state.live, { now: at });
        models.set(state.revision, model);
      }
      const chain = [answer.question.subject, ...(answer.question.actors ?? [])];
      const expected = decideOnBehalf(
        referenceLegs(model),
        { ...answer.question, actors: answer.question.actors ?? [] },
        CHAIN_RULES,
      );
      const label = `${chain.map(formatSubjectRef).join(" ← ")} at revision ${answer.revision}, live:\n${state.live.map(formatRelationship).join("\n")}`;
      expect(engineAnswer(answer.result), label).toEqual(referenceAnswer(expected));
    }
  });
});
