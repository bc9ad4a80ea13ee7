// What a person typed into a field, read into API messages with the parser the CLI uses.

import type { MessageInitShape } from "@bufbuild/protobuf";
import {
  objectRefMessage,
  relationshipMessage,
  subjectRefMessage,
} from "../../../src/api/convert/write-messages.js";
import type {
  ObjectRefSchema,
  RelationshipSchema,
  SubjectRefSchema,
} from "../../../src/gen/latch/v1/core_pb.js";
import type { ParseResult } from "../../../src/tuple/parse-error.js";
import { parseObjectRef, parseSubjectRef } from "../../../src/tuple/parse-ref.js";
import { parseRelationship } from "../../../src/tuple/parse-relationship.js";

/** InputError is a field's text that does not parse: the field, and what is wrong at which column. */
export class InputError extends Error {
  readonly code = "invalid-input";

  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`${field}: ${detail}`);
    this.name = "InputError";
  }
}

function parsed<T>(field: string, result: ParseResult<T>): T {
  if (result.ok) return result.value;
  // The parser's message names the column already.
  throw new InputError(field, result.error.message);
}

/** objectInput reads `type:id`. */
export function objectInput(field: string, text: string): MessageInitShape<typeof ObjectRefSchema> {
  return objectRefMessage(parsed(field, parseObjectRef(text.trim())));
}

/** subjectInput reads `type:id`, `type:id#relation` or `type:*`. */
export function subjectInput(
  field: string,
  text: string,
): MessageInitShape<typeof SubjectRefSchema> {
  return subjectRefMessage(parsed(field, parseSubjectRef(text.trim())));
}

/** relationshipInput reads `document:plan#viewer@user:alice[caveat:{..}][expiration:..]`. */
export function relationshipInput(
  field: string,
  text: string,
): MessageInitShape<typeof RelationshipSchema> {
  return relationshipMessage(parsed(field, parseRelationship(text.trim())));
}
