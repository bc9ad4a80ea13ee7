// The built-in suspension definition: added to every served schema, fitting every type, reserved to Latch.

import { describe, expect, it } from "vitest";
import {
  loadServedSchema,
  loadUserSchema,
  withBuiltinDefinitions,
} from "../../src/agents/builtin-schema.js";
import {
  ALL_SUSPENSIONS,
  type Suspension,
  suspensionKey,
  suspensionOf,
  suspensionRelationship,
} from "../../src/agents/suspension.js";
import { loadSchema } from "../../src/schema/load-schema.js";
import { checkRelationshipAgainstSchema } from "../../src/schema/relationship-fit.js";
import { formatRelationship } from "../../src/tuple/format-relationship.js";
import type { Relationship } from "../../src/tuple/relationship.js";

const USER_SCHEMA = `definition user {}

definition agent {
  relation owner: user
  permission act_for = owner
}
`;

function served(text: string) {
  const loaded = loadServedSchema(text);
  if (!loaded.ok) throw new Error(loaded.diagnostics.map((d) => d.message).join("\n"));
  return loaded.schema;
}

const fits = (relationship: Relationship) =>
  checkRelationshipAgainstSchema(
    served(USER_SCHEMA),
    relationship,
    formatRelationship(relationship),
  )?.message;

describe("withBuiltinDefinitions", () => {
  it("adds latch/suspension#suspended, admitting each definition and its wildcard, with the note caveat and with or without expiration", () => {
    const schema = served(USER_SCHEMA);
    expect([...schema.definitions.keys()]).toEqual([
      "user",
      "agent",
      "latch/suspension",
      "latch/access_request",
    ]);
    const suspended = schema.member("latch/suspension", "suspended");
    expect(suspended?.kind).toBe("relation");
    const subjects = suspended?.kind === "relation" ? suspended.allowedSubjects : [];
    const caveat = "latch/suspension_note";
    expect(subjects).toEqual(
      ["user", "agent"].flatMap((type) => [
        { type, wildcard: false, caveat, expiration: false },
        { type, wildcard: false, caveat, expiration: true },
        { type, wildcard: true, caveat, expiration: false },
        { type, wildcard: true, caveat, expiration: true },
      ]),
    );
    expect([...schema.caveats.keys()]).toEqual([caveat, "latch/access_request_note"]);
    expect(schema.caveats.get(caveat)?.evaluate({})).toEqual({ kind: "true" });
  });

  it("keeps the user's definitions, caveats and lookups as they were", () => {
    const loaded = loadSchema(USER_SCHEMA);
    if (!loaded.ok) throw new Error("the test schema does not load");
    const schema = withBuiltinDefinitions(loaded.schema);
    expect(schema.definitions.get("agent")).toBe(loaded.schema.definitions.get("agent"));
    expect(schema.useExpiration).toBe(loaded.schema.useExpiration);
    expect(schema.reachability.canReach("agent", "act_for", "user")).toBe(true);
    expect(schema.reachability.canReach("latch/suspension", "suspended", "agent")).toBe(true);
  });

  it("fits every suspension Latch writes, and nothing else on the built-in definition", () => {
    const note = (suspension: Partial<Suspension>) =>
      suspensionRelationship({
        subject: { type: "agent", id: "bot" },
        reason: "leaked token",
        suspendedBy: "ops",
        suspendedAt: new Date("2030-01-01T00:00:00Z"),
        ...suspension,
      });
    expect(fits(note({}))).toBeUndefined();
    expect(fits(note({ subject: { type: "agent", id: "*" } }))).toBeUndefined();
    expect(fits(note({ expiresAt: new Date("2030-01-01T01:00:00Z") }))).toBeUndefined();
    expect(fits(note({ subject: { type: "user", id: "alice" } }))).toBeUndefined();
    expect(fits(suspensionKey({ type: "agent", id: "bot" }))).toContain(
      "latch/suspension#suspended",
    );
    expect(fits(note({ subject: { type: "agent", id: "bot", relation: "owner" } }))).toContain(
      "latch/suspension#suspended",
    );
  });
});

describe("loadServedSchema", () => {
  it("refuses definitions and caveats named with the reserved prefix, at their names", () => {
    const text = `definition user {}

definition latch/suspension {
  relation suspended: user
}

caveat latch/mine(x int) {
  x > 1
}
`;
    const loaded = loadServedSchema(text);
    expect(loaded.ok).toBe(false);
    const diagnostics = loaded.ok ? [] : loaded.diagnostics;
    expect(
      diagnostics.map((d) => [d.code, d.span.start.line, d.span.start.column, d.message]),
    ).toEqual([
      [
        "reserved-name",
        3,
        12,
        "definition 'latch/suspension': the prefix 'latch/' is reserved for Latch's built-in definitions; rename it (suspensions are written through AgentService, access requests through ApprovalService, not the schema)",
      ],
      [
        "reserved-name",
        7,
        8,
        "caveat 'latch/mine': the prefix 'latch/' is reserved for Latch's built-in definitions; rename it (suspensions are written through AgentService, access requests through ApprovalService, not the schema)",
      ],
    ]);
  });

  it("reports a reserved name among the schema's other errors, in source order", () => {
    const loaded = loadServedSchema(
      "definition latch/user {}\ndefinition doc {\n  relation reader: usr\n}\n",
    );
    const codes = loaded.ok ? [] : loaded.diagnostics.map((d) => d.code);
    expect(codes).toEqual(["reserved-name", "unknown-definition"]);
  });

  it("takes names that only start like the prefix", () => {
    expect(served("definition latches/user {}\ndefinition latch_user {}\n").definitions.size).toBe(
      4,
    );
  });
});

describe("loadUserSchema", () => {
  it("compiles the user's schema alone, and refuses what loadServedSchema refuses, alike", () => {
    const loaded = loadUserSchema(USER_SCHEMA);
    expect(loaded.ok && [...loaded.schema.definitions.keys()]).toEqual(["user", "agent"]);
    const reserved = "definition user {}\ndefinition latch/user {}\n";
    const user = loadUserSchema(reserved);
    expect(user.ok).toBe(false);
    expect(user).toEqual(loadServedSchema(reserved));
  });
});

describe("suspensions as relationships", () => {
  it("read back as written: subject, reason, author, time and expiry", () => {
    const suspension: Suspension = {
      subject: { type: "agent", id: "*" },
      reason: "incident 42",
      suspendedBy: "ops",
      suspendedAt: new Date("2030-01-01T00:00:00.123Z"),
      expiresAt: new Date("2030-01-01T01:00:00Z"),
    };
    const relationship = suspensionRelationship(suspension);
    expect(formatRelationship(relationship)).toBe(
      'latch/suspension:all#suspended@agent:*[latch/suspension_note:{"reason":"incident 42","suspended_at":"2030-01-01T00:00:00.123Z","suspended_by":"ops"}][expiration:2030-01-01T01:00:00Z]',
    );
    expect(suspensionOf(relationship)).toEqual(suspension);
    expect(ALL_SUSPENSIONS).toEqual({
      resourceType: "latch/suspension",
      resourceIds: ["all"],
      relation: "suspended",
    });
  });

  it("read a note that lacks its values (an imported suspension) as empty, since the epoch", () => {
    expect(suspensionOf(suspensionKey({ type: "user", id: "alice" }))).toEqual({
      subject: { type: "user", id: "alice" },
      reason: "",
      suspendedBy: "",
      suspendedAt: new Date(0),
    });
  });
});
