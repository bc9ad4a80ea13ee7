// Decision filters from API messages: references or types, a result, a key name, a time range.

import type { DecisionFilter } from "../../decisions/decision-filter.js";
import type { DecisionResult } from "../../decisions/decision-record.js";
import type { DecisionFilter as DecisionFilterMessage } from "../../gen/latch/v1/decision_service_pb.js";
import { CheckResult } from "../../gen/latch/v1/permission_service_pb.js";
import { checkObjectId, checkObjectType, checkRelation, explain } from "../../tuple/identifiers.js";
import { RequestError } from "../request-error.js";
import { readName } from "./read-refs.js";
import { readTimestamp } from "./read-timestamp.js";

const RESULTS: Partial<Record<CheckResult, DecisionResult>> = {
  [CheckResult.ALLOWED]: "allowed",
  [CheckResult.DENIED]: "denied",
  [CheckResult.CONDITIONAL]: "conditional",
};

const API_KEY_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * readDecisionFilter converts the filter at field (unset: every decision). Each reference is
 * checked as relationships' are; a time range must not be reversed. `watch` refuses `until`: a
 * stream has no end.
 */
export function readDecisionFilter(
  field: string,
  message: DecisionFilterMessage | undefined,
  use: "list" | "watch",
): DecisionFilter {
  if (message === undefined) return {};
  const { subject, actor, resource, permission, result, apiKey, since, until } = message;
  const filter: { -readonly [K in keyof DecisionFilter]: DecisionFilter[K] } = {};
  if (subject !== "") filter.subject = readReference(`${field}.subject`, subject, "type-or-ref");
  if (actor !== "") filter.actor = readReference(`${field}.actor`, actor, "object");
  if (resource !== "")
    filter.resource = readReference(`${field}.resource`, resource, "type-or-ref");
  if (permission !== "") filter.permission = readName(`${field}.permission`, permission);
  if (result !== CheckResult.UNSPECIFIED) {
    const known = RESULTS[result];
    if (known === undefined) {
      throw new RequestError(
        `${field}.result`,
        `${field}.result: no result has the number ${result}`,
      );
    }
    filter.result = known;
  }
  if (apiKey !== "") {
    if (!API_KEY_NAME.test(apiKey)) {
      throw new RequestError(
        `${field}.api_key`,
        `${field}.api_key: an API key's name is 1 to 64 of A-Z a-z 0-9 _ . -, got ${JSON.stringify(apiKey)}`,
      );
    }
    filter.apiKey = apiKey;
  }
  if (since !== undefined) filter.since = readTimestamp(`${field}.since`, since);
  if (until !== undefined) {
    if (use === "watch") {
      throw new RequestError(
        `${field}.until`,
        `${field}.until: a watch has no end; leave it unset`,
      );
    }
    filter.until = readTimestamp(`${field}.until`, until);
  }
  if (filter.since !== undefined && filter.until !== undefined && filter.until <= filter.since) {
    throw new RequestError(
      `${field}.until`,
      `${field}.until: must be after ${field}.since (${filter.since.toISOString()}), got ${filter.until.toISOString()}: the time range is reversed or empty`,
    );
  }
  return filter;
}

/**
 * readReference checks `type:id`, `type:id#relation`, or (for "type-or-ref") a type alone,
 * `type` or `type#relation`; "object" takes only `type:id`.
 */
function readReference(field: string, text: string, accepts: "type-or-ref" | "object"): string {
  const hash = text.indexOf("#");
  const object = hash === -1 ? text : text.slice(0, hash);
  const colon = object.indexOf(":");
  const type = colon === -1 ? object : object.slice(0, colon);
  const wanted =
    accepts === "object"
      ? "an object such as agent:bot"
      : "a reference such as user:alice or group:eng#member, or a type such as user";
  const fail = (problem: string | undefined): never => {
    throw new RequestError(
      field,
      `${field}: ${wanted}, got ${JSON.stringify(text)}${problem === undefined ? "" : `: ${problem}`}`,
    );
  };
  if (accepts === "object" && (colon === -1 || hash !== -1)) fail(undefined);
  const typeProblem = explain("the type", type, checkObjectType(type));
  if (typeProblem !== undefined) fail(typeProblem);
  if (colon !== -1) {
    const id = object.slice(colon + 1);
    const idProblem = explain("the id", id, checkObjectId(id));
    if (idProblem !== undefined) fail(idProblem);
  }
  if (hash !== -1) {
    const relation = text.slice(hash + 1);
    const relationProblem = explain("the relation", relation, checkRelation(relation));
    if (relationProblem !== undefined) fail(relationProblem);
  }
  return text;
}
