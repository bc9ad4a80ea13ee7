// SpiceDB's schema reflection on Latch: ReflectSchema, DiffSchema, DependentRelations and
// ComputablePermissions, and ExperimentalService's methods of the same names, through @authzed/authzed-node.

import { v1 } from "@authzed/authzed-node";
import { status } from "@grpc/grpc-js";
import { beforeAll, describe, expect, it } from "vitest";
import { hashApiKey } from "../../../src/api/api-keys.js";
import { expectSpiceError, useSpiceTestServer } from "./spicedb-harness.js";

const ADMIN = "admin-key-0123456789";
const WRITER = "writer-key-0123456789";
const test = useSpiceTestServer(
  [
    { name: "admin", sha256: hashApiKey(ADMIN), scopes: ["admin"] },
    { name: "writer", sha256: hashApiKey(WRITER), scopes: ["write"] },
  ],
  ADMIN,
);

/** The schema of SpiceDB's documentation on reflection, with a caveat, subject sets and a wildcard. */
const SCHEMA = `use expiration

/** user is a person */
definition user {}

definition organization {
  // member is anyone in it
  relation member: user | organization#member
}

/** on_network holds on the office's network */
caveat on_network(ip ipaddress, networks list<string>) {
  ip.in_cidr(networks[0])
}

// resource is some kind of resource
definition resource {
  relation viewer: user | user:* | user with on_network
  relation editor: user with expiration

  relation org: organization

  permission edit = editor
  /** view is who may read it */
  permission view = viewer + edit + org->member
}`;

let writtenAt: v1.ZedToken | undefined;

beforeAll(async () => {
  const { spice } = test();
  // Before any schema: a diff is everything added.
  const first = await spice.diffSchema(v1.DiffSchemaRequest.create({ comparisonSchema: SCHEMA }));
  expect(first.diffs.map((d) => d.diff.oneofKind)).toEqual([
    "definitionAdded",
    "definitionAdded",
    "definitionAdded",
    "caveatAdded",
  ]);
  writtenAt = (await spice.writeSchema(v1.WriteSchemaRequest.create({ schema: SCHEMA }))).writtenAt;
});

const terminal = (name: string, caveat = "") => ({
  subjectDefinitionName: name,
  optionalCaveatName: caveat,
  typeref: { oneofKind: "isTerminalSubject" as const, isTerminalSubject: true },
});

describe("ReflectSchema", () => {
  it("describes every definition, relation, subject type, permission and caveat, with their comments", async () => {
    const answer = await test().spice.reflectSchema(v1.ReflectSchemaRequest.create());
    expect(answer.readAt?.token).toBe(writtenAt?.token);
    expect(answer.definitions).toEqual([
      { name: "user", comment: "/** user is a person */", relations: [], permissions: [] },
      {
        name: "organization",
        comment: "",
        relations: [
          {
            name: "member",
            comment: "// member is anyone in it",
            parentDefinitionName: "organization",
            subjectTypes: [
              terminal("user"),
              {
                subjectDefinitionName: "organization",
                optionalCaveatName: "",
                typeref: { oneofKind: "optionalRelationName", optionalRelationName: "member" },
              },
            ],
          },
        ],
        permissions: [],
      },
      {
        name: "resource",
        comment: "// resource is some kind of resource",
        relations: [
          {
            name: "viewer",
            comment: "",
            parentDefinitionName: "resource",
            subjectTypes: [
              terminal("user"),
              {
                subjectDefinitionName: "user",
                optionalCaveatName: "",
                typeref: { oneofKind: "isPublicWildcard", isPublicWildcard: true },
              },
              terminal("user", "on_network"),
            ],
          },
          {
            name: "editor",
            comment: "",
            parentDefinitionName: "resource",
            subjectTypes: [terminal("user")],
          },
          {
            name: "org",
            comment: "",
            parentDefinitionName: "resource",
            subjectTypes: [terminal("organization")],
          },
        ],
        permissions: [
          { name: "edit", comment: "", parentDefinitionName: "resource" },
          {
            name: "view",
            comment: "/** view is who may read it */",
            parentDefinitionName: "resource",
          },
        ],
      },
    ]);
    expect(answer.caveats).toEqual([
      {
        name: "on_network",
        comment: "/** on_network holds on the office's network */",
        parameters: [
          { name: "ip", type: "ipaddress", parentCaveatName: "on_network" },
          { name: "networks", type: "list<string>", parentCaveatName: "on_network" },
        ],
        expression: "ip.in_cidr(networks[0])",
      },
    ]);
  });

  it("keeps what any filter selects, each name a prefix", async () => {
    const reflect = (...filters: Partial<v1.ReflectionSchemaFilter>[]) =>
      test().spice.reflectSchema(
        v1.ReflectSchemaRequest.create({
          optionalFilters: filters.map((f) => v1.ReflectionSchemaFilter.create(f)),
        }),
      );
    const byDefinition = await reflect({ optionalDefinitionNameFilter: "re" });
    expect(byDefinition.definitions.map((d) => d.name)).toEqual(["resource"]);
    expect(byDefinition.caveats).toEqual([]);

    const members = await reflect(
      { optionalDefinitionNameFilter: "resource", optionalRelationNameFilter: "vi" },
      { optionalDefinitionNameFilter: "resource", optionalPermissionNameFilter: "ed" },
      { optionalCaveatNameFilter: "on_" },
    );
    const [resource] = members.definitions;
    expect(resource?.relations.map((r) => r.name)).toEqual(["viewer"]);
    expect(resource?.permissions.map((p) => p.name)).toEqual(["edit"]);
    expect(members.caveats.map((c) => c.name)).toEqual(["on_network"]);

    const error = await expectSpiceError(
      reflect({ optionalRelationNameFilter: "viewer" }),
      status.INVALID_ARGUMENT,
    );
    expect(error.details).toContain("optional_definition_name_filter");
  });

  it("is served by ExperimentalService too, field for field", async () => {
    const { spice } = test();
    const stable = await spice.reflectSchema(v1.ReflectSchemaRequest.create());
    const experimental = await spice.experimentalReflectSchema(
      v1.ExperimentalReflectSchemaRequest.create(),
    );
    expect(experimental).toEqual(stable);
  });
});

/** changedName names what a diff is about: the definition, member, caveat or parameter. */
function changedName(diff: v1.ReflectionSchemaDiff["diff"]): string | undefined {
  if (diff.oneofKind === undefined) return undefined;
  const changed: { name?: string; relation?: { name: string }; parameter?: { name: string } } = (
    diff as Record<string, unknown>
  )[diff.oneofKind] as never;
  return changed.name ?? changed.relation?.name ?? changed.parameter?.name;
}

describe("DiffSchema", () => {
  it("lists a changed comment and a changed permission, as SpiceDB's documentation shows", async () => {
    const comparison = SCHEMA.replace(
      "definition organization {",
      "// an added comment\ndefinition organization {",
    ).replace("viewer + edit + org->member", "viewer + editor + org->member");
    const answer = await test().spice.diffSchema(
      v1.DiffSchemaRequest.create({ comparisonSchema: comparison }),
    );
    expect(answer.readAt?.token).toBe(writtenAt?.token);
    expect(answer.diffs.map(({ diff }) => diff)).toEqual([
      {
        oneofKind: "definitionDocCommentChanged",
        definitionDocCommentChanged: expect.objectContaining({
          name: "organization",
          comment: "// an added comment",
        }),
      },
      {
        oneofKind: "permissionExprChanged",
        permissionExprChanged: {
          name: "view",
          comment: "/** view is who may read it */",
          parentDefinitionName: "resource",
        },
      },
    ]);
  });

  it("finds nothing in the schema itself, formatted otherwise", async () => {
    const reformatted = SCHEMA.replace(
      "viewer + edit + org->member",
      "(viewer + (edit)) + org->member",
    )
      .replaceAll("\n\n", "\n")
      .replace("relation org: organization", "relation   org:   organization");
    const answer = await test().spice.diffSchema(
      v1.DiffSchemaRequest.create({ comparisonSchema: reformatted }),
    );
    expect(answer.diffs).toEqual([]);
  });

  it("lists every kind of change", async () => {
    const comparison = `use expiration

/** user is a person */
definition user {}

/** team replaces organization */
definition team {
  relation member: user
}

caveat on_network(ip string, region string) {
  ip == "10.0.0.1"
}

// resource is some kind of resource
definition resource {
  /** who may read it */
  relation viewer: user | user with on_network | team#member
  relation editor: user with expiration
  relation owner: user

  permission edit = editor + owner
  /** view is who may read it */
  permission view = viewer + edit
  permission admin = owner
}`;
    const answer = await test().spice.diffSchema(
      v1.DiffSchemaRequest.create({ comparisonSchema: comparison }),
    );
    const kinds = answer.diffs.map(({ diff }) => `${diff.oneofKind} ${changedName(diff)}`);
    expect(kinds).toEqual([
      "definitionRemoved organization",
      "relationDocCommentChanged viewer",
      "relationSubjectTypeRemoved viewer",
      "relationSubjectTypeAdded viewer",
      "relationRemoved org",
      "relationAdded owner",
      "permissionExprChanged edit",
      "permissionExprChanged view",
      "permissionAdded admin",
      "definitionAdded team",
      "caveatDocCommentChanged on_network",
      "caveatExprChanged on_network",
      "caveatParameterTypeChanged ip",
      "caveatParameterRemoved networks",
      "caveatParameterAdded region",
    ]);
    const retyped = answer.diffs.find((d) => d.diff.oneofKind === "caveatParameterTypeChanged");
    expect(retyped?.diff).toMatchObject({
      caveatParameterTypeChanged: {
        parameter: { name: "ip", type: "string", parentCaveatName: "on_network" },
        previousType: "ipaddress",
      },
    });
    const removedType = answer.diffs.find((d) => d.diff.oneofKind === "relationSubjectTypeRemoved");
    expect(removedType?.diff).toMatchObject({
      relationSubjectTypeRemoved: {
        changedSubjectType: {
          subjectDefinitionName: "user",
          typeref: { oneofKind: "isPublicWildcard", isPublicWildcard: true },
        },
      },
    });
  });

  it("refuses a comparison schema with errors, INVALID_ARGUMENT with SCHEMA_PARSE_ERROR, naming the line", async () => {
    const error = await expectSpiceError(
      test().spice.diffSchema(
        v1.DiffSchemaRequest.create({
          comparisonSchema: "definition user {}\ndefinition doc {\n  relation viewer: usr\n}",
        }),
      ),
      status.INVALID_ARGUMENT,
      "ERROR_REASON_SCHEMA_PARSE_ERROR",
    );
    expect(error.details).toContain("comparison_schema:3:");
  });
});

describe("DependentRelations and ComputablePermissions", () => {
  const reference = (definitionName: string, relationName: string, isPermission = false) => ({
    definitionName,
    relationName,
    isPermission,
  });

  it("lists what a permission is computed from, as SpiceDB's documentation shows, sorted", async () => {
    const answer = await test().spice.dependentRelations(
      v1.DependentRelationsRequest.create({ definitionName: "resource", permissionName: "view" }),
    );
    expect(answer.relations).toEqual([
      reference("organization", "member"),
      reference("resource", "edit", true),
      reference("resource", "editor"),
      reference("resource", "org"),
      reference("resource", "viewer"),
    ]);
    expect(answer.readAt?.token).toBe(writtenAt?.token);
  });

  it("lists what a relation computes, and what a definition's objects reach", async () => {
    const { spice } = test();
    const computable = (definitionName: string, relationName: string, filter = "") =>
      spice.computablePermissions(
        v1.ComputablePermissionsRequest.create({
          definitionName,
          relationName,
          optionalDefinitionNameFilter: filter,
        }),
      );
    expect((await computable("resource", "editor")).permissions).toEqual([
      reference("resource", "edit", true),
      reference("resource", "view", true),
    ]);
    // organization#member is a subject set of itself, and org->member reads it.
    expect((await computable("organization", "member")).permissions).toEqual([
      reference("resource", "view", true),
    ]);
    expect((await computable("user", "")).permissions).toEqual([
      reference("organization", "member"),
      reference("resource", "edit", true),
      reference("resource", "editor"),
      reference("resource", "view", true),
      reference("resource", "viewer"),
    ]);
    expect((await computable("user", "", "org")).permissions).toEqual([
      reference("organization", "member"),
    ]);
    const experimental = await spice.experimentalComputablePermissions(
      v1.ExperimentalComputablePermissionsRequest.create({
        definitionName: "resource",
        relationName: "editor",
      }),
    );
    expect(experimental.permissions).toEqual((await computable("resource", "editor")).permissions);
  });

  it("refuses what the schema lacks as SpiceDB does, and a relation where a permission is asked", async () => {
    const { spice } = test();
    await expectSpiceError(
      spice.dependentRelations(
        v1.DependentRelationsRequest.create({ definitionName: "folder", permissionName: "view" }),
      ),
      status.FAILED_PRECONDITION,
      "ERROR_REASON_UNKNOWN_DEFINITION",
    );
    await expectSpiceError(
      spice.computablePermissions(
        v1.ComputablePermissionsRequest.create({
          definitionName: "resource",
          relationName: "owner",
        }),
      ),
      status.FAILED_PRECONDITION,
      "ERROR_REASON_UNKNOWN_RELATION_OR_PERMISSION",
    );
    const error = await expectSpiceError(
      spice.dependentRelations(
        v1.DependentRelationsRequest.create({
          definitionName: "resource",
          permissionName: "viewer",
        }),
      ),
      status.INVALID_ARGUMENT,
    );
    expect(error.details).toContain("permission_name");
  });
});

describe("keys", () => {
  it("needs the read scope, as ReadSchema does", async () => {
    const writer = test().clientWith(WRITER);
    const refused = await expectSpiceError(
      writer.reflectSchema(v1.ReflectSchemaRequest.create()),
      status.PERMISSION_DENIED,
    );
    expect(refused.details).toContain("'read'");
  });
});
