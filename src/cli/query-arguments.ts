// The text forms of what the query commands ask: a check, an expansion, lookups and filters.

import type { MessageInitShape } from "@bufbuild/protobuf";
import type { RelationshipFilterSchema } from "../gen/latch/v1/core_pb.js";
import {
  checkObjectId,
  checkObjectType,
  checkRelation,
  checkSubjectId,
} from "../tuple/identifiers.js";
import type { Issue } from "../tuple/issue.js";
import type { TupleErrorCode } from "../tuple/parse-error.js";
import { readObjectRef, readSubjectRef } from "../tuple/parse-ref.js";
import { parseRelationship } from "../tuple/parse-relationship.js";
import type { ObjectRef, SubjectRef } from "../tuple/relationship.js";
import { attempt, expectChar, failExpected, readToken } from "../tuple/text-reader.js";
import { parsed, UsageError } from "./usage-error.js";

/** SpiceDB's name for "the object itself" as a subject relation: `user:alice#...`. */
const ELLIPSIS = "...";

/** CheckQuery is `resource#permission@subject`. */
export interface CheckQuery {
  readonly resource: ObjectRef;
  readonly permission: string;
  readonly subject: SubjectRef;
}

/** parseCheckQuery reads `document:plan#view@user:alice`: a relationship's form, without caveat or expiration. */
export function parseCheckQuery(text: string): CheckQuery {
  const { resource, relation, subject, caveat, expiresAt } = parsed(
    "check",
    text,
    parseRelationship(text),
  );
  if (caveat !== undefined || expiresAt !== undefined) {
    throw new UsageError(
      `invalid check ${JSON.stringify(text)}: a check is RESOURCE#PERMISSION@SUBJECT, without a caveat or expiration (use --context for caveat parameters)`,
    );
  }
  return { resource, permission: relation, subject };
}

/** parseObjectPermission reads `document:plan#view`, as expand and lookup-subjects name the set asked about. */
export function parseObjectPermission(text: string): {
  resource: ObjectRef;
  permission: string;
} {
  return parsed(
    "permission",
    text,
    attempt(() => {
      const resource = readObjectRef(text, 0, "resource");
      const permission = readMember(text, resource.end, "the resource id");
      expectEnd(text, resource.end + 1 + permission.length, "the permission");
      return { resource: resource.value, permission };
    }),
  );
}

/** LookupResourcesQuery is `type#permission@subject`. */
export interface LookupResourcesQuery {
  readonly resourceType: string;
  readonly permission: string;
  readonly subject: SubjectRef;
}

/** parseLookupResourcesQuery reads `document#view@user:alice`: which documents may alice view? */
export function parseLookupResourcesQuery(text: string): LookupResourcesQuery {
  return parsed(
    "lookup",
    text,
    attempt(() => {
      const resourceType = readType(text, 0, "resource type");
      const permission = readMember(text, resourceType.length, "the resource type");
      const at = resourceType.length + 1 + permission.length;
      expectChar(text, at, "@", "after the permission");
      const subject = readSubjectRef(text, at + 1);
      expectEnd(text, subject.end, "the subject");
      return { resourceType, permission, subject: subject.value };
    }),
  );
}

/** LookupSubjectsQuery is `resource#permission@type` or `…@type#relation`. */
export interface LookupSubjectsQuery {
  readonly resource: ObjectRef;
  readonly permission: string;
  readonly subjectType: string;
  /** Empty for subjects that are objects. */
  readonly subjectRelation: string;
}

/** parseLookupSubjectsQuery reads `document:plan#view@user` (or `@group#member`): who may view the plan? */
export function parseLookupSubjectsQuery(text: string): LookupSubjectsQuery {
  return parsed(
    "lookup",
    text,
    attempt(() => {
      const resource = readObjectRef(text, 0, "resource");
      const permission = readMember(text, resource.end, "the resource id");
      const at = resource.end + 1 + permission.length;
      expectChar(text, at, "@", "after the permission");
      const subjectType = readType(text, at + 1, "subject type");
      let end = at + 1 + subjectType.length;
      let subjectRelation = "";
      if (text[end] === "#") {
        subjectRelation = readSubjectRelation(text, end);
        end += 1 + subjectRelation.length;
      }
      expectEnd(text, end, "the subject type");
      return { resource: resource.value, permission, subjectType, subjectRelation };
    }),
  );
}

/** FilterInit is a RelationshipFilter message as requests take it. */
export type FilterInit = MessageInitShape<typeof RelationshipFilterSchema>;

/**
 * parseFilter reads a relationship filter: a relationship's form with the tail left off, or ids
 * left out: `document`, `document:plan`, `document:plan#viewer`, `document#viewer@user`,
 * `document:plan#viewer@user:alice`, `document#viewer@group:eng#member`, or only the subject:
 * `@group#member`, `@user:alice`. Each part given must match; a subject without `#relation`
 * matches any subject relation, `#...` only objects.
 */
export function parseFilter(text: string): FilterInit {
  return parsed(
    "filter",
    text,
    attempt(() => {
      const filter: FilterInit = {};
      let end = 0;
      if (text[0] !== "@") {
        filter.resourceType = readType(text, 0, "resource type");
        end = filter.resourceType.length;
      }
      if (text[end] === ":") {
        const id = readAfter(text, end, "resource id", "invalid-object-id", checkObjectId);
        filter.resourceIds = [id];
        end += 1 + id.length;
      }
      if (text[end] === "#") {
        filter.relation = readMember(text, end, "the resource", "relation");
        end += 1 + filter.relation.length;
      }
      if (text[end] === "@") {
        filter.subjectType = readType(text, end + 1, "subject type");
        end += 1 + filter.subjectType.length;
        if (text[end] === ":") {
          const id = readAfter(text, end, "subject id", "invalid-object-id", checkSubjectId);
          filter.subjectIds = [id];
          end += 1 + id.length;
        }
        if (text.startsWith(`#${ELLIPSIS}`, end)) {
          filter.subjectRelation = "";
          end += 1 + ELLIPSIS.length;
        } else if (text[end] === "#") {
          filter.subjectRelation = readSubjectRelation(text, end);
          end += 1 + filter.subjectRelation.length;
        }
      }
      expectEnd(text, end, "the filter");
      return filter;
    }),
  );
}

function readType(text: string, start: number, field: string): string {
  return readToken(text, start, field, "", "invalid-object-type", checkObjectType);
}

/** readMember reads `#name` at hash: the permission (or relation) named after `after`. */
function readMember(text: string, hash: number, after: string, field = "permission"): string {
  expectChar(text, hash, "#", `after ${after}`);
  return readAfter(text, hash, field, "invalid-relation", checkRelation);
}

/** readAfter reads the token after the delimiter at `at` (`:id`, `#relation`). */
function readAfter(
  text: string,
  at: number,
  field: string,
  code: TupleErrorCode,
  check: (token: string) => Issue | undefined,
): string {
  return readToken(text, at + 1, field, `after '${text[at]}'`, code, check);
}

function readSubjectRelation(text: string, hash: number): string {
  return readAfter(text, hash, "subject relation", "invalid-relation", checkRelation);
}

function expectEnd(text: string, end: number, after: string): void {
  if (end < text.length) failExpected(text, end, `end of input after ${after}`);
}
