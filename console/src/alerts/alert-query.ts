// An alert search as it stands in the URL, and as the filter AlertService takes.

import { create } from "@bufbuild/protobuf";
import {
  type AlertFilter,
  AlertFilterSchema,
  AlertStatus,
} from "../../../src/gen/latch/v1/alert_service_pb.js";
import { parseObjectRef } from "../../../src/tuple/parse-ref.js";

/** AlertQuery is an alert search's fields, as text: the URL's query parameters of the same names. */
export interface AlertQuery {
  readonly rule: string;
  /** `open`, `acknowledged`, or empty for both. */
  readonly status: string;
  /** `agent:bot`, or empty for any. */
  readonly agent: string;
}

/** ALERT_QUERY_FIELDS are the fields of an {@link AlertQuery}, in the form's order. */
export const ALERT_QUERY_FIELDS = [
  "rule",
  "status",
  "agent",
] as const satisfies readonly (keyof AlertQuery)[];

/** STATUSES maps a query's status word to the API's value. */
const STATUSES: Readonly<Record<string, AlertStatus>> = {
  open: AlertStatus.OPEN,
  acknowledged: AlertStatus.ACKNOWLEDGED,
};

/** alertQueryFromParams reads an alert search from the URL's parameters; missing ones are empty. */
export function alertQueryFromParams(params: URLSearchParams): AlertQuery {
  const read = (name: keyof AlertQuery) => params.get(name)?.trim() ?? "";
  return { rule: read("rule"), status: read("status"), agent: read("agent") };
}

/** AlertFilterOrError is a valid filter, or what is wrong with the query, naming its field. */
export type AlertFilterOrError =
  | { readonly ok: true; readonly filter: AlertFilter }
  | { readonly ok: false; readonly error: string };

/** alertFilterOf turns a query into the API's filter, refusing a status or agent it cannot read. */
export function alertFilterOf(query: AlertQuery): AlertFilterOrError {
  const status = query.status === "" ? AlertStatus.UNSPECIFIED : STATUSES[query.status];
  if (status === undefined) {
    return { ok: false, error: `status: "${query.status}" is not one of open, acknowledged` };
  }
  if (query.agent !== "") {
    const agent = parseObjectRef(query.agent);
    if (!agent.ok) return { ok: false, error: `agent: ${agent.error.message}` };
  }
  return {
    ok: true,
    filter: create(AlertFilterSchema, { rule: query.rule, status, agent: query.agent }),
  };
}

/** alertStatusText is an alert's status in words. */
export function alertStatusText(status: AlertStatus): string {
  return status === AlertStatus.ACKNOWLEDGED ? "acknowledged" : "open";
}
