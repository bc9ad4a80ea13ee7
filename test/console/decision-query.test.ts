// The console's decision search: read from the URL, turned into the API's filter, times in the viewer's zone.

import { timestampDate } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import {
  filterOf,
  isoFromLocalInput,
  localInputValue,
  queryFromParams,
} from "../../console/src/decisions/decision-query.js";
import { CheckResult } from "../../src/gen/latch/v1/permission_service_pb.js";

describe("the decision search", () => {
  it("reads every field from the URL, trimmed, and missing ones as empty", () => {
    const query = queryFromParams(
      new URLSearchParams("subject=+user%3Aalice+&actor=agent%3Abot&result=denied&extra=1"),
    );
    expect(query).toEqual({
      subject: "user:alice",
      actor: "agent:bot",
      resource: "",
      permission: "",
      result: "denied",
      since: "",
      until: "",
    });
  });

  it("makes the API's filter, result and time range included", () => {
    const filter = filterOf({
      subject: "user:alice",
      actor: "agent:bot",
      resource: "document",
      permission: "view",
      result: "conditional",
      since: "2026-12-01T00:00:00.000Z",
      until: "2026-12-02T00:00:00.000Z",
    });
    if (!filter.ok) throw new Error(filter.error);
    expect(filter.filter).toMatchObject({
      subject: "user:alice",
      actor: "agent:bot",
      resource: "document",
      permission: "view",
      result: CheckResult.CONDITIONAL,
    });
    expect(timestampDate(filter.filter.since!).toISOString()).toBe("2026-12-01T00:00:00.000Z");
    expect(timestampDate(filter.filter.until!).toISOString()).toBe("2026-12-02T00:00:00.000Z");
    const any = filterOf(queryFromParams(new URLSearchParams()));
    expect(any.ok && any.filter.result).toBe(CheckResult.UNSPECIFIED);
    expect(any.ok && any.filter.since).toBeUndefined();
  });

  it("refuses a result, a time or a range it cannot use, naming the field", () => {
    const at = (params: string) => filterOf(queryFromParams(new URLSearchParams(params)));
    expect(at("result=maybe")).toEqual({
      ok: false,
      error: 'result: "maybe" is not one of allowed, denied, conditional',
    });
    expect(at("since=yesterday")).toEqual({ ok: false, error: 'since: "yesterday" is not a time' });
    expect(at("since=2026-12-02T00:00:00Z&until=2026-12-01T00:00:00Z")).toEqual({
      ok: false,
      error: "until: must be after since",
    });
  });

  it("shows a time in the viewer's zone in a datetime-local field, and reads it back", () => {
    const iso = "2026-12-05T09:30:00.000Z";
    const local = localInputValue(iso);
    expect(local).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
    expect(isoFromLocalInput(local)).toBe(iso);
    expect(localInputValue("")).toBe("");
    expect(localInputValue("nonsense")).toBe("");
    expect(isoFromLocalInput("")).toBe("");
  });
});
