// What Latch is asked for a tool: ids encoded as SpiceDB allows, rules mapping arguments.

import { describe, expect, it } from "vitest";
import { callTargets, objectId, toolGate } from "../../src/mcp-gateway/tool-resource.js";

describe("objectId", () => {
  it("joins server and name with /, writing every other character as =HH per UTF-8 byte", () => {
    expect(objectId("docs", "read_document")).toBe("docs/read_document");
    expect(objectId("docs", "read.file")).toBe("docs/read=2Efile");
    expect(objectId("docs", "a/b=c")).toBe("docs/a=2Fb=3Dc");
    expect(objectId("docs", "ü")).toBe("docs/=C3=BC");
    expect(objectId("docs", "x".repeat(1020))).toBeUndefined();
  });
});

describe("toolGate and callTargets", () => {
  it("check mcp_tool:<server/tool>#call by default", () => {
    expect(toolGate("docs", "list", undefined)).toEqual({
      resource: { type: "mcp_tool", id: "docs/list" },
      permission: "call",
    });
  });

  it("map an argument to a resource and others to caveat parameters", () => {
    const rule = {
      resource: { type: "customer", idArgument: "customer_id" },
      permission: "view_profile",
      context: { region: "region" },
    };
    expect(callTargets("crm", "get_customer", rule, { customer_id: "acme", region: "eu" })).toEqual(
      [
        {
          resource: { type: "mcp_tool", id: "crm/get_customer" },
          permission: "call",
          context: { region: "eu" },
        },
        {
          resource: { type: "customer", id: "acme" },
          permission: "view_profile",
          context: { region: "eu" },
        },
      ],
    );
    expect(callTargets("crm", "get_customer", rule, { customer_id: "a b" })).toEqual({
      problem:
        "argument customer_id must name an object id (1 to 1,024 of a-z, A-Z, 0-9 and / _ | - = +)",
    });
  });

  it("check a rule's fixed resource instead of the tool", () => {
    const rule = { resource: { type: "folder", id: "finance" }, permission: "edit" };
    expect(callTargets("files", "write", rule, {})).toEqual([
      { resource: { type: "folder", id: "finance" }, permission: "edit" },
    ]);
  });
});
