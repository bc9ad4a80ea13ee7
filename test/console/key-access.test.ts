// What the console offers a key: the server's table of method scopes, read as the server reads it.

import { describe, expect, it } from "vitest";
import { allows, type KeyAccess, scopeOf } from "../../console/src/api/key-access.js";
import { AlertService } from "../../src/gen/latch/v1/alert_service_pb.js";
import { KeyService } from "../../src/gen/latch/v1/key_service_pb.js";
import { PermissionService } from "../../src/gen/latch/v1/permission_service_pb.js";
import { RelationshipService } from "../../src/gen/latch/v1/relationship_service_pb.js";

const key = (...scopes: string[]): KeyAccess => ({
  development: false,
  name: "k",
  scopes: new Set(scopes),
});

describe("allows", () => {
  it("allows a method its scope, and admin everything", () => {
    const checker = key("check", "read");
    expect(allows(checker, PermissionService.method.check)).toBe(true);
    expect(allows(checker, RelationshipService.method.readRelationships)).toBe(true);
    expect(allows(checker, RelationshipService.method.writeRelationships)).toBe(false);
    expect(allows(checker, AlertService.method.listAlerts)).toBe(false);
    expect(allows(key("admin"), AlertService.method.acknowledgeAlert)).toBe(true);
  });

  it("lets any key describe itself, and development mode do anything", () => {
    expect(scopeOf(KeyService.method.describeKey)).toBe("any");
    expect(allows(key(), KeyService.method.describeKey)).toBe(true);
    const development = { development: true, name: "", scopes: new Set<string>() };
    expect(allows(development, AlertService.method.acknowledgeAlert)).toBe(true);
  });
});
