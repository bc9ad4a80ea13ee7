// The record of one LookupResources or LookupSubjects call: what it asked and how many it returned.

import type { JsonObject } from "@bufbuild/protobuf";
import type { LookupResourcesRequest } from "../engine/lookup-resources.js";
import type { LookupSubjectsRequest } from "../engine/lookup-subjects.js";
import { formatObjectRef, formatSubjectRef } from "../tuple/format-relationship.js";
import { callDecision, type DecisionCall } from "./decision-call.js";
import type { Decision } from "./decision-record.js";

/** LookupQuestion is what a lookup call asked. */
export type LookupQuestion =
  | { readonly kind: "lookup_resources"; readonly question: LookupResourcesRequest }
  | { readonly kind: "lookup_subjects"; readonly question: LookupSubjectsRequest };

/**
 * lookupDecision is the record of a lookup call: one for the whole call, with its parameters and
 * the count it returned, and no result or proof (each result is a check's answer, not recorded
 * one by one). A LookupResources names the type it looked in as its resource; a LookupSubjects
 * the type (and relation) it looked for as its subject.
 */
export function lookupDecision(
  call: DecisionCall,
  input: LookupQuestion,
  returned: number,
): Decision {
  const asked =
    input.kind === "lookup_resources"
      ? {
          kind: input.kind,
          subject: formatSubjectRef(input.question.subject),
          actors: input.question.actors?.map(formatSubjectRef) ?? [],
          resource: input.question.resourceType,
          permission: input.question.permission,
          lookup: {
            ...(input.question.limit === undefined ? {} : { limit: input.question.limit }),
            ...(input.question.cursor === undefined ? {} : { cursor: input.question.cursor }),
            returned,
          },
        }
      : {
          kind: input.kind,
          subject:
            input.question.subjectRelation === undefined
              ? input.question.subjectType
              : `${input.question.subjectType}#${input.question.subjectRelation}`,
          actors: [],
          resource: formatObjectRef(input.question.resource),
          permission: input.question.permission,
          lookup: { returned },
        };
  const context = input.question.context as JsonObject | undefined;
  return callDecision(call, { ...asked, context, cached: false });
}
