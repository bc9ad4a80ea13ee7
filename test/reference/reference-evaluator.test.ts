// Hand-computed answers for every construct, and self-consistency of the reference evaluator on generated cases.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { CompiledSchema } from "../../src/schema/compiled-schema.js";
import { loadSchema } from "../../src/schema/load-schema.js";
import { parseRelationship } from "../../src/tuple/parse-relationship.js";
import type { ObjectRef, Relationship, SubjectRef } from "../../src/tuple/relationship.js";
import { checkUniverse } from "../generators/check-universe.js";
import { fixedNow } from "../generators/relationships-for.js";
import { scenario } from "../generators/scenario.js";
import { evaluateAll, type ReferenceModel, type RefResult } from "./reference-evaluator.js";

const now = new Date("2025-06-01T12:00:00Z");

function schemaOf(text: string): CompiledSchema {
  const loaded = loadSchema(text);
  if (!loaded.ok) throw new Error(loaded.diagnostics.map((d) => d.message).join("\n"));
  return loaded.schema;
}

function relationships(lines: readonly string[]): Relationship[] {
  return lines.map((line) => {
    const parsed = parseRelationship(line);
    if (!parsed.ok) throw new Error(`${line}: ${parsed.error.message}`);
    return parsed.value;
  });
}

/** ref parses `type:id` or `type:id#relation`. */
function ref(text: string): SubjectRef {
  const [object = "", relation] = text.split("#");
  const [type = "", id = ""] = object.split(":");
  return relation === undefined ? { type, id } : { type, id, relation };
}

function modelOf(
  schema: string,
  lines: readonly string[],
  context?: Record<string, unknown>,
): ReferenceModel {
  return evaluateAll(schemaOf(schema), relationships(lines), { now, context });
}

/** check asks `resource#permission@subject`, written as text. */
function check(model: ReferenceModel, question: string): RefResult {
  const [left = "", subject = ""] = question.split("@");
  const [resource = "", permission = ""] = left.split("#");
  return model.check(ref(resource) as ObjectRef, permission, ref(subject));
}

const allowed: RefResult = { kind: "allowed" };
const denied: RefResult = { kind: "denied" };
const conditional = (...missing: string[]): RefResult => ({ kind: "conditional", missing });

describe("evaluateAll: set operations", () => {
  const model = modelOf(
    `definition user {}
     definition document {
       relation viewer: user
       relation editor: user
       relation banned: user
       permission view = viewer + editor
       permission both = viewer & editor
       permission allowed = view - banned
       permission nothing = nil
       permission nil_or_viewer = nil + viewer
       permission nil_and_viewer = nil & viewer
     }`,
    [
      "document:d1#viewer@user:alice",
      "document:d1#editor@user:bob",
      "document:d1#viewer@user:carol",
      "document:d1#editor@user:carol",
      "document:d1#banned@user:carol",
      "document:d1#banned@user:erin",
    ],
  );

  it.each<[string, RefResult]>([
    ["document:d1#viewer@user:alice", allowed],
    ["document:d1#viewer@user:bob", denied],
    ["document:d1#view@user:alice", allowed],
    ["document:d1#view@user:bob", allowed],
    ["document:d1#view@user:dave", denied],
    ["document:d1#both@user:carol", allowed],
    ["document:d1#both@user:alice", denied],
    ["document:d1#allowed@user:alice", allowed],
    ["document:d1#allowed@user:bob", allowed],
    ["document:d1#allowed@user:carol", denied],
    ["document:d1#allowed@user:erin", denied],
    ["document:d1#nothing@user:alice", denied],
    ["document:d1#nil_or_viewer@user:alice", allowed],
    ["document:d1#nil_and_viewer@user:alice", denied],
    ["document:d2#view@user:alice", denied],
  ])("%s is %j", (question, expected) => {
    expect(check(model, question)).toEqual(expected);
  });

  it("looks up resources and subjects, sorted by id, without the denied ones", () => {
    expect(model.lookupResources("document", "view", ref("user:carol"))).toEqual([
      { id: "d1", result: allowed },
    ]);
    expect(model.lookupSubjects({ type: "document", id: "d1" }, "allowed", "user")).toEqual([
      { id: "alice", result: allowed },
      { id: "bob", result: allowed },
    ]);
  });

  it("refuses permissions the schema does not have", () => {
    expect(() => check(model, "document:d1#unknown@user:alice")).toThrow(/not in the schema/);
  });
});

describe("evaluateAll: arrows", () => {
  const model = modelOf(
    `definition user {}
     definition folder {
       relation reader: user
     }
     definition document {
       relation parent: folder
       permission read_arrow = parent->reader
       permission read_any = parent.any(reader)
       permission read_all = parent.all(reader)
     }`,
    [
      "document:d1#parent@folder:f1",
      "document:d1#parent@folder:f2",
      "folder:f1#reader@user:alice",
      "folder:f1#reader@user:bob",
      "folder:f2#reader@user:alice",
      "document:d3#parent@folder:f3",
      "folder:f9#reader@user:alice",
    ],
  );

  it.each<[string, RefResult]>([
    ["document:d1#read_arrow@user:alice", allowed],
    ["document:d1#read_arrow@user:bob", allowed],
    ["document:d1#read_any@user:bob", allowed],
    ["document:d1#read_arrow@user:carol", denied],
    ["document:d1#read_all@user:alice", allowed],
    ["document:d1#read_all@user:bob", denied],
    // .all over no related objects is false, never vacuously true.
    ["document:d2#read_all@user:alice", denied],
    ["document:d3#read_all@user:alice", denied],
    ["document:d2#read_any@user:alice", denied],
  ])("%s is %j", (question, expected) => {
    expect(check(model, question)).toEqual(expected);
  });

  it("walks the object of a subject-set subject, ignoring its relation", () => {
    const walked = modelOf(
      `definition user {}
       definition group {
         relation member: user
         relation admin: user
       }
       definition document {
         relation owner_group: group#member
         permission admin = owner_group->admin
       }`,
      [
        "document:d1#owner_group@group:eng#member",
        "group:eng#admin@user:alice",
        "group:eng#member@user:bob",
      ],
    );
    expect(check(walked, "document:d1#admin@user:alice")).toEqual(allowed);
    expect(check(walked, "document:d1#admin@user:bob")).toEqual(denied);
  });
});

describe("evaluateAll: wildcards", () => {
  const model = modelOf(
    `definition user {}
     definition group {
       relation member: user
     }
     definition document {
       relation viewer: user | user:* | group | group:* | group#member
       relation banned: user
       permission view = viewer - banned
     }`,
    [
      "document:d1#viewer@user:*",
      "document:d1#banned@user:bob",
      "document:d2#viewer@group:*",
      "group:eng#member@user:alice",
    ],
  );

  it.each<[string, RefResult]>([
    ["document:d1#view@user:alice", allowed],
    ["document:d1#view@user:someone_new", allowed],
    ["document:d1#view@user:bob", denied],
    // A wildcard admits objects of its type, never subject sets.
    ["document:d2#viewer@group:eng", allowed],
    ["document:d2#viewer@group:eng#member", denied],
    ["document:d1#view@group:eng#member", denied],
    ["document:d2#viewer@user:alice", denied],
  ])("%s is %j", (question, expected) => {
    expect(check(model, question)).toEqual(expected);
  });

  it("reports the wildcard in lookupSubjects as `*`, next to the concrete subjects", () => {
    expect(model.lookupSubjects({ type: "document", id: "d1" }, "view", "user")).toEqual([
      { id: "*", result: allowed },
      { id: "alice", result: allowed },
    ]);
    expect(
      model.lookupSubjects({ type: "document", id: "d2" }, "viewer", "group", "member"),
    ).toEqual([]);
  });
});

describe("evaluateAll: subject sets and nested groups", () => {
  const model = modelOf(
    `definition user {}
     definition group {
       relation member: user | group#member
     }
     definition document {
       relation viewer: user | group#member
       permission view = viewer
     }`,
    [
      "group:eng#member@user:alice",
      "group:all#member@group:eng#member",
      "document:d1#viewer@group:all#member",
      "group:ring_a#member@group:ring_b#member",
      "group:ring_b#member@group:ring_a#member",
      "group:ring_b#member@user:zed",
      "group:self#member@group:self#member",
    ],
  );

  it.each<[string, RefResult]>([
    ["document:d1#view@user:alice", allowed],
    ["document:d1#view@user:bob", denied],
    // The subject set itself, and a set nested in it, are members.
    ["document:d1#view@group:all#member", allowed],
    ["document:d1#view@group:eng#member", allowed],
    ["document:d1#view@group:ring_a#member", denied],
    // A set always contains itself.
    ["group:eng#member@group:eng#member", allowed],
    ["group:nobody#member@group:nobody#member", allowed],
    ["group:all#member@group:eng#member", allowed],
    ["group:eng#member@group:all#member", denied],
    // Cycles terminate: membership flows around the ring, and nothing comes from nowhere.
    ["group:ring_a#member@user:zed", allowed],
    ["group:ring_a#member@user:alice", denied],
    ["group:ring_a#member@group:ring_b#member", allowed],
    ["group:self#member@user:alice", denied],
  ])("%s is %j", (question, expected) => {
    expect(check(model, question)).toEqual(expected);
  });

  it("looks up subject sets and the resources a subject set reaches", () => {
    expect(model.lookupSubjects({ type: "document", id: "d1" }, "view", "group", "member")).toEqual(
      [
        { id: "all", result: allowed },
        { id: "eng", result: allowed },
      ],
    );
    expect(model.lookupResources("group", "member", ref("group:eng#member"))).toEqual([
      { id: "all", result: allowed },
      { id: "eng", result: allowed },
    ]);
  });
});

describe("evaluateAll: recursive hierarchies", () => {
  const model = modelOf(
    `definition user {}
     definition folder {
       relation parent: folder
       relation viewer: user
       permission view = viewer + parent->view
     }`,
    [
      "folder:f1#parent@folder:f2",
      "folder:f2#parent@folder:f1",
      "folder:f3#parent@folder:f1",
      "folder:f2#viewer@user:alice",
      "folder:f4#parent@folder:f4",
      "folder:f5#viewer@user:bob",
    ],
  );

  it.each<[string, RefResult]>([
    ["folder:f1#view@user:alice", allowed],
    ["folder:f2#view@user:alice", allowed],
    ["folder:f3#view@user:alice", allowed],
    ["folder:f4#view@user:alice", denied],
    ["folder:f1#view@user:bob", denied],
    ["folder:f5#view@user:bob", allowed],
  ])("%s is %j", (question, expected) => {
    expect(check(model, question)).toEqual(expected);
  });

  it("finds every folder of a cycle", () => {
    expect(model.lookupResources("folder", "view", ref("user:alice")).map((e) => e.id)).toEqual([
      "f1",
      "f2",
      "f3",
    ]);
  });

  it("refuses recursion through an exclusion", () => {
    const schema = schemaOf(
      `definition user {}
       definition folder {
         relation parent: folder
         relation viewer: user
         permission view = viewer - parent->view
       }`,
    );
    expect(() => evaluateAll(schema, [], { now })).toThrow(/not stratified/);
  });
});

describe("evaluateAll: self", () => {
  const model = modelOf(
    `use self
     definition user {
       relation friend: user | user#view
       relation pub: user:*
       permission view = self
       permission friendly = self + friend
       permission both = self & pub
       permission notself = pub - self
       permission selfless = self - friend
       permission named = view
     }
     definition folder {
       relation parent: folder
       relation viewer: user
       permission self_view = self
       permission view = viewer + parent->self_view
       permission every = parent.all(self_view)
     }
     definition document {
       relation parent: folder
       relation reader: user#view
       permission fview = parent->view
     }`,
    [
      "user:alice#pub@user:*",
      "user:alice#friend@user:bob",
      "user:carol#friend@user:carol",
      "user:dave#friend@user:erin#view",
      "folder:f1#parent@folder:f2",
      "folder:f1#viewer@user:alice",
      "document:d1#parent@folder:f1",
      "document:d1#reader@user:alice#view",
    ],
  );

  it.each<[string, RefResult]>([
    ["user:alice#view@user:alice", allowed],
    // An object no relationship names is still itself.
    ["user:ghost#view@user:ghost", allowed],
    ["user:alice#view@user:bob", denied],
    // Only the object with no relation: a subject set is not the object.
    ["user:alice#view@user:alice#friend", denied],
    // A subject set is a member of the member it names (the reflexive rule, not self).
    ["user:alice#view@user:alice#view", allowed],
    ["user:alice#friendly@user:alice", allowed],
    ["user:alice#friendly@user:bob", allowed],
    ["user:alice#both@user:alice", allowed],
    ["user:bob#both@user:bob", denied],
    ["user:alice#notself@user:alice", denied],
    ["user:alice#notself@user:zed", allowed],
    ["user:bob#notself@user:alice", denied],
    ["user:carol#selfless@user:carol", denied],
    ["user:alice#selfless@user:alice", allowed],
    ["user:alice#named@user:alice", allowed],
    // A subject set over a permission of self holds exactly its object.
    ["user:dave#friend@user:erin", allowed],
    ["user:dave#friend@user:dave", denied],
    // The same id of another type is another object.
    ["folder:f2#self_view@folder:f2", allowed],
    ["folder:f2#self_view@user:f2", denied],
    // Through an arrow: the object the arrow walks to, not the one it starts from.
    ["folder:f1#view@folder:f2", allowed],
    ["folder:f1#view@folder:f1", denied],
    ["folder:f1#every@folder:f2", allowed],
    ["document:d1#fview@folder:f2", allowed],
    ["document:d1#fview@user:alice", allowed],
    ["document:d1#fview@document:d1", denied],
    ["document:d1#reader@user:alice", allowed],
  ])("%s is %j", (question, expected) => {
    expect(check(model, question)).toEqual(expected);
  });

  it("never grants the wildcard, which stands for the other objects", () => {
    const anyone: SubjectRef = { type: "user", id: "*" };
    expect(model.check({ type: "user", id: "alice" }, "view", anyone)).toEqual(denied);
    expect(model.check({ type: "user", id: "alice" }, "notself", anyone)).toEqual(allowed);
  });

  it("finds the subject itself among the resources, named by a relationship or not", () => {
    expect(model.lookupResources("user", "view", ref("user:ghost"))).toEqual([
      { id: "ghost", result: allowed },
    ]);
    expect(model.lookupResources("user", "notself", ref("user:zed"))).toEqual([
      { id: "alice", result: allowed },
    ]);
    expect(model.lookupResources("user", "notself", ref("user:alice"))).toEqual([]);
    expect(model.lookupResources("folder", "view", ref("folder:f2"))).toEqual([
      { id: "f1", result: allowed },
    ]);
    expect(model.lookupResources("user", "view", ref("user:alice#view"))).toEqual([
      { id: "alice", result: allowed },
    ]);
    expect(model.lookupResources("user", "view", ref("user:alice#friend"))).toEqual([]);
  });

  it("finds the resource itself among the subjects of its type only, without a relation", () => {
    const alice = { type: "user", id: "alice" };
    expect(model.lookupSubjects(alice, "view", "user")).toEqual([{ id: "alice", result: allowed }]);
    expect(model.lookupSubjects({ type: "user", id: "ghost" }, "view", "user")).toEqual([
      { id: "ghost", result: allowed },
    ]);
    expect(model.lookupSubjects(alice, "view", "folder")).toEqual([]);
    expect(model.lookupSubjects(alice, "view", "user", "friend")).toEqual([]);
    expect(model.lookupSubjects(alice, "view", "user", "view")).toEqual([
      { id: "alice", result: allowed },
    ]);
    // The wildcard grants every user but alice herself (SpiceDB: `*` excluding alice).
    expect(model.lookupSubjects(alice, "notself", "user").map((e) => e.id)).toEqual([
      "*",
      "bob",
      "carol",
      "dave",
      "erin",
    ]);
    expect(model.lookupSubjects({ type: "document", id: "d1" }, "fview", "folder")).toEqual([
      { id: "f2", result: allowed },
    ]);
  });
});

describe("evaluateAll: caveats", () => {
  const schema = `
    caveat within_limit(limit int, amount int) { amount < limit }
    caveat flag_on(flag bool) { flag }
    caveat vip_or_tier(vip bool, tier int) { vip || tier > 2 }
    definition user {}
    definition group {
      relation member: user with within_limit
    }
    definition folder {
      relation viewer: user
    }
    definition document {
      relation viewer: user with within_limit | user:* with flag_on | group#member with flag_on
      relation editor: user with flag_on
      relation vip: user with vip_or_tier
      relation parent: folder with flag_on | folder
      permission view = viewer
      permission both = viewer & editor
      permission either = viewer + editor
      permission viewer_not_editor = viewer - editor
      permission via_parent = parent->viewer
      permission via_all_parents = parent.all(viewer)
    }`;
  const lines = [
    'document:d1#viewer@user:alice[within_limit:{"limit":5}]',
    "document:d1#editor@user:alice[flag_on]",
    'document:d1#viewer@user:bob[within_limit:{"limit":5,"amount":9}]',
    "document:d2#viewer@user:*[flag_on]",
    "document:d3#viewer@group:eng#member[flag_on]",
    'group:eng#member@user:carol[within_limit:{"amount":1}]',
    "document:d4#parent@folder:f1[flag_on]",
    "document:d5#parent@folder:f1[flag_on]",
    "document:d5#parent@folder:f2",
    "folder:f1#viewer@user:alice",
    "folder:f2#viewer@user:alice",
    "document:d6#vip@user:alice[vip_or_tier]",
  ];

  it.each<[Record<string, unknown>, string, RefResult]>([
    [{}, "document:d1#view@user:alice", conditional("amount")],
    [{ amount: 3 }, "document:d1#view@user:alice", allowed],
    [{ amount: 7 }, "document:d1#view@user:alice", denied],
    // The relationship's context wins over the request's.
    [{ amount: 3, limit: 100 }, "document:d1#view@user:alice", allowed],
    [{ amount: 1, limit: 10 }, "document:d1#view@user:bob", denied],
    // Missing names gather over every undecided operand.
    [{}, "document:d1#both@user:alice", conditional("amount", "flag")],
    [{ flag: false }, "document:d1#both@user:alice", denied],
    [{ flag: true }, "document:d1#both@user:alice", conditional("amount")],
    [{}, "document:d1#either@user:alice", conditional("amount", "flag")],
    [{ flag: true }, "document:d1#either@user:alice", allowed],
    [{ amount: 9 }, "document:d1#either@user:alice", conditional("flag")],
    [{}, "document:d1#viewer_not_editor@user:alice", conditional("amount", "flag")],
    [{ flag: true }, "document:d1#viewer_not_editor@user:alice", denied],
    [{ flag: false }, "document:d1#viewer_not_editor@user:alice", conditional("amount")],
    [{ flag: false, amount: 1 }, "document:d1#viewer_not_editor@user:alice", allowed],
    // A caveated wildcard.
    [{}, "document:d2#view@user:anyone", conditional("flag")],
    [{ flag: true }, "document:d2#view@user:anyone", allowed],
    // A caveated subject set ANDs its caveat with the membership's.
    [{}, "document:d3#view@user:carol", conditional("flag", "limit")],
    [{ limit: 5 }, "document:d3#view@user:carol", conditional("flag")],
    [{ limit: 5, flag: true }, "document:d3#view@user:carol", allowed],
    [{ limit: 1, flag: true }, "document:d3#view@user:carol", denied],
    [{ flag: true }, "document:d3#view@group:eng#member", allowed],
    // An arrow through a caveated relationship ANDs that caveat.
    [{}, "document:d4#via_parent@user:alice", conditional("flag")],
    [{ flag: false }, "document:d4#via_parent@user:alice", denied],
    [{}, "document:d5#via_parent@user:alice", allowed],
    [{}, "document:d5#via_all_parents@user:alice", conditional("flag")],
    [{ flag: true }, "document:d5#via_all_parents@user:alice", allowed],
    [{ flag: false }, "document:d5#via_all_parents@user:alice", denied],
    // A caveat decides without a parameter it does not need.
    [{}, "document:d6#vip@user:alice", conditional("tier", "vip")],
    [{ vip: true }, "document:d6#vip@user:alice", allowed],
    [{ vip: false }, "document:d6#vip@user:alice", conditional("tier")],
    [{ vip: false, tier: 3 }, "document:d6#vip@user:alice", allowed],
    // A context value of the wrong type is an error, which counts as false.
    [{ amount: "lots" }, "document:d1#view@user:alice", denied],
  ])("with context %j, %s is %j", (context, question, expected) => {
    expect(check(modelOf(schema, lines, context), question)).toEqual(expected);
  });

  it("returns conditional answers from the lookups", () => {
    const model = modelOf(schema, lines, {});
    expect(model.lookupResources("document", "view", ref("user:alice"))).toEqual([
      { id: "d1", result: conditional("amount") },
      { id: "d2", result: conditional("flag") },
    ]);
    expect(model.lookupSubjects({ type: "document", id: "d2" }, "view", "user")).toEqual([
      { id: "*", result: conditional("flag") },
      { id: "alice", result: conditional("flag") },
      { id: "bob", result: conditional("flag") },
      { id: "carol", result: conditional("flag") },
    ]);
  });
});

describe("evaluateAll: caveats on a cycle in the data", () => {
  // d1's editors include d1's own editors under has_tag: that derivation grants d3#editor only
  // under more conditions than the direct one, so the answer awaits the direct one's parameter.
  const model = modelOf(
    `caveat has_tag(tag string, tags list<string>) { tag in tags }
     definition document {
       relation editor: document#editor with has_tag
     }`,
    [
      'document:d1#editor@document:d3#editor[has_tag:{"tag":"red"}]',
      "document:d1#editor@document:d1#editor[has_tag]",
    ],
  );

  it("awaits only the parameters of the derivations that do not come back to the question", () => {
    expect(check(model, "document:d1#editor@document:d3#editor")).toEqual(conditional("tags"));
  });
});

describe("evaluateAll: expiration", () => {
  const schema = `
    use expiration
    definition user {}
    definition group {
      relation member: user with expiration
    }
    definition folder {
      relation viewer: user
    }
    definition document {
      relation viewer: user with expiration | group#member with expiration
      relation parent: folder with expiration
      permission view = viewer + parent->viewer
    }`;
  const model = modelOf(schema, [
    "document:d1#viewer@user:alice[expiration:2025-06-01T11:00:00Z]",
    "document:d1#viewer@user:bob[expiration:2025-06-01T13:00:00Z]",
    "document:d1#viewer@user:carol[expiration:2025-06-01T12:00:00Z]",
    "document:d2#viewer@group:eng#member[expiration:2025-06-02T00:00:00Z]",
    "group:eng#member@user:dave[expiration:2025-06-01T11:59:59Z]",
    "group:eng#member@user:erin[expiration:2025-06-01T12:00:01Z]",
    "document:d3#parent@folder:f1[expiration:2025-05-01T00:00:00Z]",
    "document:d4#parent@folder:f1[expiration:2026-05-01T00:00:00Z]",
    "folder:f1#viewer@user:frank",
  ]);

  it.each<[string, RefResult]>([
    ["document:d1#view@user:alice", denied],
    ["document:d1#view@user:bob", allowed],
    // Expiring at `now` is already expired.
    ["document:d1#view@user:carol", denied],
    ["document:d2#view@user:dave", denied],
    ["document:d2#view@user:erin", allowed],
    ["document:d3#view@user:frank", denied],
    ["document:d4#view@user:frank", allowed],
  ])("%s is %j", (question, expected) => {
    expect(check(model, question)).toEqual(expected);
  });
});

describe("evaluateAll on generated cases", () => {
  const rank = { denied: 0, conditional: 1, allowed: 2 } as const;

  it("agrees with itself: the lookups list exactly the checks that are not denied", () => {
    fc.assert(
      fc.property(scenario({ maxRelationships: 25 }), ({ schemaCase, relationships, context }) => {
        const model = evaluateAll(schemaCase.schema, relationships, { now: fixedNow, context });
        for (const { resource, permission, subject } of checkUniverse(
          schemaCase.schema,
          relationships,
        )) {
          const result = model.check(resource, permission, subject);
          const inResources = model
            .lookupResources(resource.type, permission, subject)
            .find((e) => e.id === resource.id);
          expect(inResources?.result ?? denied).toEqual(result);
          if (subject.relation === undefined) {
            // Subjects no live relationship names are not listed: the wildcard entry speaks for them.
            const listed = model.lookupSubjects(resource, permission, subject.type);
            const named = relationships.some(
              (r) =>
                (r.expiresAt === undefined || r.expiresAt > fixedNow) &&
                ((r.resource.type === subject.type && r.resource.id === subject.id) ||
                  (r.subject.type === subject.type && r.subject.id === subject.id)),
            );
            const entry = listed.find((e) => e.id === subject.id);
            const wildcard = named ? undefined : listed.find((e) => e.id === "*");
            expect(entry?.result ?? wildcard?.result ?? denied).toEqual(result);
          }
        }
      }),
      { numRuns: 40 },
    );
  });

  it("treats an expired relationship exactly like an absent one", () => {
    fc.assert(
      fc.property(scenario({ maxRelationships: 25 }), ({ schemaCase, relationships, context }) => {
        const options = { now: fixedNow, context };
        const all = evaluateAll(schemaCase.schema, relationships, options);
        const live = relationships.filter(
          (r) => r.expiresAt === undefined || r.expiresAt > fixedNow,
        );
        const liveOnly = evaluateAll(schemaCase.schema, live, options);
        for (const { resource, permission, subject } of checkUniverse(
          schemaCase.schema,
          relationships,
        )) {
          expect(liveOnly.check(resource, permission, subject)).toEqual(
            all.check(resource, permission, subject),
          );
          expect(liveOnly.lookupResources(resource.type, permission, subject)).toEqual(
            all.lookupResources(resource.type, permission, subject),
          );
          expect(liveOnly.lookupSubjects(resource, permission, subject.type)).toEqual(
            all.lookupSubjects(resource, permission, subject.type),
          );
        }
      }),
      { numRuns: 40 },
    );
  });

  it("never takes access away when relationships are added, without exclusions or .all arrows", () => {
    fc.assert(
      fc.property(
        scenario({ maxRelationships: 25 })
          .filter(({ schemaCase: { text } }) => !text.includes(" - ") && !text.includes(".all("))
          .chain((generated) =>
            fc.record({
              generated: fc.constant(generated),
              kept: fc.subarray(generated.relationships),
            }),
          ),
        ({ generated: { schemaCase, relationships, context }, kept }) => {
          const options = { now: fixedNow, context };
          const full = evaluateAll(schemaCase.schema, relationships, options);
          const part = evaluateAll(schemaCase.schema, kept, options);
          for (const { resource, permission, subject } of checkUniverse(
            schemaCase.schema,
            relationships,
          )) {
            const before = part.check(resource, permission, subject).kind;
            const after = full.check(resource, permission, subject).kind;
            expect(rank[after]).toBeGreaterThanOrEqual(rank[before]);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
