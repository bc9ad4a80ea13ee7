// A playground question as it stands in the URL, and as the Check request it asks.

import type { JsonObject, MessageInitShape } from "@bufbuild/protobuf";
import type { CheckRequestSchema } from "../../../src/gen/latch/v1/permission_service_pb.js";
import { InputError, objectInput, subjectInput } from "../api/parse-input.js";

/** CheckQuestion is the playground's fields, as text: the URL's parameters of the same names. */
export interface CheckQuestion {
  readonly resource: string;
  readonly permission: string;
  readonly subject: string;
  /** Actors, nearest first, separated by commas. */
  readonly actors: string;
  /** The caveat context, a JSON object, or empty. */
  readonly context: string;
}

/** QUESTION_FIELDS are the fields of a {@link CheckQuestion}, in the form's order. */
export const QUESTION_FIELDS = [
  "resource",
  "permission",
  "subject",
  "actors",
  "context",
] as const satisfies readonly (keyof CheckQuestion)[];

/** questionFromParams reads a question from the URL; missing fields are empty. */
export function questionFromParams(params: URLSearchParams): CheckQuestion {
  const read = (name: keyof CheckQuestion) => params.get(name)?.trim() ?? "";
  return {
    resource: read("resource"),
    permission: read("permission"),
    subject: read("subject"),
    actors: read("actors"),
    context: read("context"),
  };
}

/** isAsked says whether question names what a Check needs: a resource, permission and subject. */
export function isAsked(question: CheckQuestion): boolean {
  return question.resource !== "" && question.permission !== "" && question.subject !== "";
}

/**
 * checkRequest is question as an explained, fully consistent Check; a field that does not parse
 * throws an {@link InputError} naming it.
 */
export function checkRequest(question: CheckQuestion): MessageInitShape<typeof CheckRequestSchema> {
  const actors = question.actors
    .split(",")
    .map((actor) => actor.trim())
    .filter((actor) => actor !== "")
    .map((actor, index) => subjectInput(`actors[${index}]`, actor));
  return {
    resource: objectInput("resource", question.resource),
    permission: question.permission,
    subject: subjectInput("subject", question.subject),
    actors,
    ...(question.context === "" ? {} : { context: contextObject(question.context) }),
    consistency: { requirement: { case: "fullyConsistent", value: true } },
    explain: true,
    // The log tells this check from the agents' own: a person asked in the console.
    origin: { console: "playground" },
  };
}

function contextObject(text: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError("context", `not JSON: ${(error as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InputError("context", 'must be a JSON object, such as {"ip": "10.0.0.1"}');
  }
  return value as JsonObject;
}
