// A decision search as it stands in the URL, and as the filter DecisionService takes.

import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  type DecisionFilter,
  DecisionFilterSchema,
} from "../../../src/gen/latch/v1/decision_service_pb.js";
import { CheckResult } from "../../../src/gen/latch/v1/permission_service_pb.js";

/** DecisionQuery is a search's fields, as text: the URL's query parameters of the same names. */
export interface DecisionQuery {
  readonly subject: string;
  readonly actor: string;
  readonly resource: string;
  readonly permission: string;
  /** `allowed`, `denied`, `conditional`, or empty for any. */
  readonly result: string;
  /** RFC 3339 (UTC), or empty. */
  readonly since: string;
  readonly until: string;
}

/** QUERY_FIELDS are the fields of a {@link DecisionQuery}, in the form's order. */
export const QUERY_FIELDS = [
  "subject",
  "actor",
  "resource",
  "permission",
  "result",
  "since",
  "until",
] as const satisfies readonly (keyof DecisionQuery)[];

/** RESULTS maps a query's result word to the API's value. */
const RESULTS: Readonly<Record<string, CheckResult>> = {
  allowed: CheckResult.ALLOWED,
  denied: CheckResult.DENIED,
  conditional: CheckResult.CONDITIONAL,
};

/** queryFromParams reads a search from the URL's parameters; missing ones are empty. */
export function queryFromParams(params: URLSearchParams): DecisionQuery {
  const read = (name: keyof DecisionQuery) => params.get(name)?.trim() ?? "";
  return {
    subject: read("subject"),
    actor: read("actor"),
    resource: read("resource"),
    permission: read("permission"),
    result: read("result"),
    since: read("since"),
    until: read("until"),
  };
}

/** FilterOrError is a valid filter, or what is wrong with the query, naming its field. */
export type FilterOrError =
  | { readonly ok: true; readonly filter: DecisionFilter }
  | { readonly ok: false; readonly error: string };

/** filterOf turns a query into the API's filter, refusing a result or time it cannot read. */
export function filterOf(query: DecisionQuery): FilterOrError {
  const result = query.result === "" ? CheckResult.UNSPECIFIED : RESULTS[query.result];
  if (result === undefined) {
    return {
      ok: false,
      error: `result: "${query.result}" is not one of allowed, denied, conditional`,
    };
  }
  const times: { since?: Date; until?: Date } = {};
  for (const field of ["since", "until"] as const) {
    if (query[field] === "") continue;
    const date = new Date(query[field]);
    if (Number.isNaN(date.getTime())) {
      return { ok: false, error: `${field}: "${query[field]}" is not a time` };
    }
    times[field] = date;
  }
  if (times.since !== undefined && times.until !== undefined && times.until <= times.since) {
    return { ok: false, error: "until: must be after since" };
  }
  return {
    ok: true,
    filter: create(DecisionFilterSchema, {
      subject: query.subject,
      actor: query.actor,
      resource: query.resource,
      permission: query.permission,
      result,
      ...(times.since === undefined ? {} : { since: timestampFromDate(times.since) }),
      ...(times.until === undefined ? {} : { until: timestampFromDate(times.until) }),
    }),
  };
}

/**
 * localInputValue is an RFC 3339 time as a `datetime-local` input shows it, in the viewer's
 * zone (`2026-12-05T09:30`); empty for an empty or unreadable time.
 */
export function localInputValue(iso: string): string {
  const date = new Date(iso);
  if (iso === "" || Number.isNaN(date.getTime())) return "";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** isoFromLocalInput is a `datetime-local` value (the viewer's zone) in RFC 3339 UTC; empty stays empty. */
export function isoFromLocalInput(value: string): string {
  if (value === "") return "";
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? "" : date.toISOString();
}
