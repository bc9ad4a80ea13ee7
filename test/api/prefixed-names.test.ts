// A schema whose names carry several prefixes (`acme/eng/user`), written, then used through the API.

import { describe, expect, it } from "vitest";
import { PREFIXED_SCHEMA } from "../schema/prefixed-schema.js";
import { ref, relationship, struct, subject, unary, update, useTestServer } from "./api-harness.js";

const test = useTestServer();

describe("names with several prefixes", () => {
  it("write the schema and relationships, and check them through the engine", async () => {
    const { clients } = test();
    await unary(clients.schema, "WriteSchema", { schema: PREFIXED_SCHEMA });
    expect((await unary(clients.schema, "ReadSchema", {})).schema).toBe(PREFIXED_SCHEMA);
    await unary(clients.relationships, "WriteRelationships", {
      updates: [
        relationship("acme/eng/document:plan", "viewer", "acme/eng/group:core#member"),
        relationship("acme/eng/group:core", "member", "acme/eng/user:alice"),
        relationship("acme/eng/document:plan", "viewer", "acme/eng/user:bob", {
          caveat: { name: "acme/eng/on_call", context: struct({}) },
        }),
      ].map((rel) => update("TOUCH", rel)),
    });
    const check = async (who: string, extra = {}) =>
      (
        await unary(clients.permissions, "Check", {
          resource: ref("acme/eng/document", "plan"),
          permission: "view",
          subject: subject("acme/eng/user", who),
          ...extra,
        })
      ).result;
    expect(await check("alice")).toBe("CHECK_RESULT_ALLOWED");
    expect(await check("carol")).toBe("CHECK_RESULT_DENIED");
    expect(await check("bob")).toBe("CHECK_RESULT_CONDITIONAL");
    expect(await check("bob", { context: struct({ on_call: true }) })).toBe("CHECK_RESULT_ALLOWED");
  });
});
