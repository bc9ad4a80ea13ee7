// Checks on behalf of a subject by example: the chain's legs, who denied and why, suspension, validation.

import { describe, expect, it } from "vitest";
import { createLocalDispatcher } from "../../src/dispatch/local-dispatcher.js";
import { type CheckRequest, createCheckEngine } from "../../src/engine/check-engine.js";
import { createLookupEngine } from "../../src/engine/lookup-engine.js";
import { loadSchema } from "../../src/schema/load-schema.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import { parseRelationship } from "../../src/tuple/parse-relationship.js";
import type { SubjectRef } from "../../src/tuple/relationship.js";
import { suspensionDefinition } from "../generators/index.js";

const SCHEMA = `use expiration
caveat on_shift(hour int) {
  hour >= 9 && hour < 17
}
caveat latch/suspension_note(reason string, suspended_by string, suspended_at timestamp) {
  reason == reason && suspended_by == suspended_by && suspended_at == suspended_at
}
definition user {}
definition agent {
  relation delegate: user | user with on_shift | user with expiration | agent
  permission act_for = delegate
}
definition document {
  relation viewer: user | agent | agent:* | user with on_shift
  permission view = viewer
}
${suspensionDefinition(["user", "agent", "document"])}
`;

const NOTE = `[latch/suspension_note:{"reason":"test","suspended_at":"2025-06-01T00:00:00Z","suspended_by":"test"}]`;
const LATER = "[expiration:2099-01-01T00:00:00Z]";

async function setUp(lines: string[], schema = SCHEMA, actForPermission?: string) {
  const loaded = loadSchema(schema);
  if (!loaded.ok) throw new Error(loaded.diagnostics.map((d) => d.message).join("\n"));
  const store = createMemoryStore();
  const updates = lines.map((line) => {
    const parsed = parseRelationship(line);
    if (!parsed.ok) throw new Error(`${line}: ${parsed.error.message}`);
    return { operation: "touch" as const, relationship: parsed.value };
  });
  const { revision } = await store.write(updates);
  const engine = createCheckEngine({
    schema: loaded.schema,
    dispatcher: createLocalDispatcher(),
    ...(actForPermission && { actForPermission }),
  });
  return {
    engine,
    lookups: createLookupEngine({ schema: loaded.schema, checkEngine: engine }),
    reader: store.snapshot(revision, new Date()),
  };
}

const user = (id: string): SubjectRef => ({ type: "user", id });
const agent = (id: string): SubjectRef => ({ type: "agent", id });
const viewPlan = (subject: SubjectRef, ...actors: SubjectRef[]): CheckRequest => ({
  resource: { type: "document", id: "plan" },
  permission: "view",
  subject,
  actors,
});

const GRANTED = [
  "document:plan#viewer@user:alice",
  "document:plan#viewer@agent:bot",
  "document:plan#viewer@agent:sub",
  "agent:bot#delegate@user:alice",
  "agent:sub#delegate@agent:bot",
];

describe("a check on behalf of a subject", () => {
  it("is allowed when every member has the permission and every actor acts for the one before", async () => {
    const { engine, reader } = await setUp(GRANTED);
    const result = await engine.check(reader, viewPlan(user("alice"), agent("bot"), agent("sub")));
    expect(result.result).toBe("allowed");
    expect(result.deniedBy).toBeUndefined();
    expect(result.legs?.map((leg) => [leg.kind, leg.member.id, leg.result])).toEqual([
      ["suspension", "alice", "allowed"],
      ["permission", "alice", "allowed"],
      ["suspension", "bot", "allowed"],
      ["delegation", "bot", "allowed"],
      ["permission", "bot", "allowed"],
      ["suspension", "sub", "allowed"],
      ["delegation", "sub", "allowed"],
      ["permission", "sub", "allowed"],
    ]);
  });

  it("names the first member whose leg fails, and why", async () => {
    const { engine, reader } = await setUp([
      ...GRANTED.filter((line) => line !== "agent:sub#delegate@agent:bot"),
      "agent:rogue#delegate@user:alice",
    ]);
    const undelegated = await engine.check(
      reader,
      viewPlan(user("alice"), agent("bot"), agent("sub")),
    );
    expect(undelegated).toMatchObject({
      result: "denied",
      deniedBy: agent("sub"),
      reason: "not-delegated",
    });
    // rogue may act for alice but may not view the plan: its own ceiling.
    const ceiling = await engine.check(reader, viewPlan(user("alice"), agent("rogue")));
    expect(ceiling).toMatchObject({
      result: "denied",
      deniedBy: agent("rogue"),
      reason: "no-permission",
    });
    const principal = await engine.check(reader, viewPlan(user("bob"), agent("bot")));
    expect(principal).toMatchObject({
      result: "denied",
      deniedBy: user("bob"),
      reason: "no-permission",
    });
  });

  it("says a condition was false when a caveat decided the denial, and waits for a missing one", async () => {
    const { engine, reader } = await setUp([
      "document:plan#viewer@agent:bot",
      "document:plan#viewer@user:alice",
      "agent:bot#delegate@user:alice[on_shift]",
    ]);
    const request = viewPlan(user("alice"), agent("bot"));
    const offShift = await engine.check(reader, { ...request, context: { hour: 22 } });
    expect(offShift).toMatchObject({
      result: "denied",
      deniedBy: agent("bot"),
      reason: "condition-false",
    });
    expect(await engine.check(reader, { ...request, context: { hour: 10 } })).toMatchObject({
      result: "allowed",
    });
    const open = await engine.check(reader, request);
    expect(open).toMatchObject({ result: "conditional", missing: ["hour"] });
    expect(open.legs?.find((leg) => leg.kind === "delegation")).toMatchObject({
      result: "conditional",
      missing: ["hour"],
    });
  });

  it("gives each leg its proof when asked, and the subject's proof as the check's", async () => {
    const { engine, reader } = await setUp(GRANTED);
    const result = await engine.check(reader, {
      ...viewPlan(user("alice"), agent("bot")),
      explain: true,
    });
    expect(result.legs?.map((leg) => leg.explanation?.node)).toEqual([
      "latch/suspension:all#suspended",
      "document:plan#viewer",
      "latch/suspension:all#suspended",
      "agent:bot#delegate",
      "document:plan#viewer",
    ]);
    expect(result.explanation).toBe(result.legs?.[1]?.explanation);
  });

  it("is decided by the permission the engine is told lets an actor act for someone", async () => {
    const schema = SCHEMA.replace("permission act_for = delegate", "permission may_act = delegate");
    const { engine, reader } = await setUp(GRANTED, schema, "may_act");
    expect((await engine.check(reader, viewPlan(user("alice"), agent("bot")))).result).toBe(
      "allowed",
    );
  });
});

describe("a suspension", () => {
  it("denies a check with the suspended member as subject or actor, a wildcard every member of its type", async () => {
    const { engine, reader } = await setUp([
      ...GRANTED,
      `latch/suspension:all#suspended@agent:sub${NOTE}${LATER}`,
    ]);
    const plain = await engine.check(reader, viewPlan(agent("sub")));
    expect(plain).toMatchObject({ result: "denied", deniedBy: agent("sub"), reason: "suspended" });
    // Legs come with a denial by suspension, even without actors.
    expect(plain.legs?.map((leg) => [leg.kind, leg.result])).toEqual([
      ["suspension", "denied"],
      ["permission", "allowed"],
    ]);
    expect(
      await engine.check(reader, viewPlan(user("alice"), agent("bot"), agent("sub"))),
    ).toMatchObject({ result: "denied", deniedBy: agent("sub"), reason: "suspended" });
    expect((await engine.check(reader, viewPlan(user("alice"), agent("bot")))).result).toBe(
      "allowed",
    );

    const stopped = await setUp([
      ...GRANTED,
      `latch/suspension:all#suspended@agent:*${NOTE}${LATER}`,
    ]);
    expect(
      await stopped.engine.check(stopped.reader, viewPlan(user("alice"), agent("bot"))),
    ).toMatchObject({ result: "denied", deniedBy: agent("bot"), reason: "suspended" });
    expect((await stopped.engine.check(stopped.reader, viewPlan(user("alice")))).result).toBe(
      "allowed",
    );
  });

  it("of a person cuts off every agent acting for them, and fails closed when its note is incomplete", async () => {
    const { engine, reader } = await setUp([
      ...GRANTED,
      `latch/suspension:all#suspended@user:alice${NOTE}${LATER}`,
      `latch/suspension:all#suspended@agent:sub[latch/suspension_note:{"reason":"x"}]${LATER}`,
    ]);
    expect(await engine.check(reader, viewPlan(user("alice"), agent("bot")))).toMatchObject({
      result: "denied",
      deniedBy: user("alice"),
      reason: "suspended",
    });
    expect(await engine.check(reader, viewPlan(agent("sub")))).toMatchObject({
      result: "denied",
      reason: "suspended",
    });
  });

  it("keeps whoever is suspended out of the resources and subjects the lookups find", async () => {
    const { lookups, reader } = await setUp([
      ...GRANTED,
      "document:memo#viewer@agent:*",
      `latch/suspension:all#suspended@agent:sub${NOTE}${LATER}`,
    ]);
    const found = [];
    for await (const item of lookups.lookupResources(reader, {
      resourceType: "document",
      permission: "view",
      subject: user("alice"),
      actors: [agent("bot"), agent("sub")],
    }))
      found.push(item.id);
    expect(found).toEqual([]);
    const subjects = await lookups.lookupSubjects(reader, {
      resource: { type: "document", id: "memo" },
      permission: "view",
      subjectType: "agent",
    });
    expect(subjects).toEqual([{ id: "*", result: "allowed", missing: [], excludedIds: ["sub"] }]);
  });

  it("does not exist for a schema without the suspension definition: a plain check is as before", async () => {
    const schema = SCHEMA.slice(0, SCHEMA.indexOf("definition latch/suspension"));
    const { engine, reader } = await setUp(GRANTED, schema);
    const result = await engine.check(reader, viewPlan(user("alice")));
    expect(result).toEqual({
      result: "allowed",
      missing: [],
      validUntil: Number.POSITIVE_INFINITY,
      servedFromCache: false,
    });
    const denied = await engine.check(reader, viewPlan(user("bob")));
    expect(denied).toMatchObject({
      result: "denied",
      deniedBy: user("bob"),
      reason: "no-permission",
    });
    expect(denied.legs).toBeUndefined();
  });
});

describe("actors a check refuses", () => {
  it.each<[string, SubjectRef[], string]>([
    [
      "more than 16",
      Array.from({ length: 17 }, (_, i) => agent(`a${i}`)),
      "actors: 17 actors is more than the limit of 16",
    ],
    [
      "a subject set",
      [agent("bot"), { type: "agent", id: "sub", relation: "delegate" }],
      "actors[1]: an actor is an object like agent:bot, not a subject set",
    ],
    ["a wildcard", [agent("*")], "actors[0]: an actor is an object like agent:bot, not a wildcard"],
    [
      "of a type the schema lacks",
      [{ type: "robot", id: "r" }],
      "actors[0].type: the schema has no definition 'robot'",
    ],
    [
      "of a type that cannot act for anyone",
      [user("bob")],
      "actors[0]: definition 'user' has no permission 'act_for' (LATCH_ACT_FOR_PERMISSION), so a user cannot act for anyone",
    ],
    ["the subject itself", [agent("bot")], "actors[0]: agent:bot is the subject"],
    [
      "twice in the chain",
      [agent("bot"), agent("sub"), agent("bot")],
      "actors[2]: agent:bot is already actors[0]",
    ],
  ])("%s, naming the field", async (_, actors, message) => {
    const { engine, lookups, reader } = await setUp(GRANTED);
    const subject = message.includes("is the subject") ? agent("bot") : user("alice");
    const request = viewPlan(subject, ...actors);
    await expect(engine.check(reader, request)).rejects.toMatchObject({
      code: "invalid-argument",
      message: expect.stringContaining(message),
    });
    // In a bulk check, only that item fails.
    const [refused, answered] = await engine.checkBulk(reader, [request, viewPlan(user("alice"))]);
    expect(refused).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining(message) },
    });
    expect(answered).toMatchObject({ ok: true, result: { result: "allowed" } });
    expect(engine.answerAtOnce(request, Date.now())).toBeUndefined();
    // A lookup refuses it when called, before reading anything.
    expect(() =>
      lookups.lookupResources(reader, {
        resourceType: "document",
        permission: "view",
        subject,
        actors,
      }),
    ).toThrow(message);
  });

  it("refuses a lookup cursor issued for another chain", async () => {
    const { lookups, reader } = await setUp([
      ...GRANTED,
      "document:memo#viewer@user:alice",
      "document:memo#viewer@agent:bot",
    ]);
    const chain = {
      resourceType: "document",
      permission: "view",
      subject: user("alice"),
      limit: 1,
    };
    let cursor = "";
    for await (const item of lookups.lookupResources(reader, { ...chain, actors: [agent("bot")] }))
      cursor = item.cursor;
    expect(() => lookups.lookupResources(reader, { ...chain, cursor })).toThrow(
      /cursor: issued for the lookup document#view@user:alice>agent:bot/,
    );
  });
});
