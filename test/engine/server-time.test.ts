// The server's time by example: a caveat's `now` is the decision's second, for every kind of answer and API.

import { describe, expect, it } from "vitest";
import type { CaveatContext } from "../../src/schema/caveat/compiled-caveat.js";
import { collect, compile, load } from "./lookup-test-helpers.js";

const SCHEMA = `use expiration
definition user {}
definition folder {
	relation viewer: user with business_hours
	permission view = viewer
}
definition document {
	relation parent: folder
	relation viewer: user | user with business_hours | user with business_hours and expiration | user with on_the_second | user with hour_code
	relation banned: user with business_hours
	permission view = (viewer + parent->view) - banned
}
caveat business_hours(now timestamp) {
	now.getHours() >= 9 && now.getHours() < 17
}
caveat on_the_second(now timestamp, at timestamp) {
	now == at
}
caveat hour_code(now int) {
	now == 3
}
`;

const at = (time: string) => new Date(`2025-06-02T${time}Z`);
const ms = (time: string) => at(time).getTime();

async function setUp(lines: readonly string[]) {
  const { checks, lookups, reader } = await load(compile(SCHEMA), lines);
  /** check asks whether a user (alice unless named) may view document:plan at time. */
  const check = async (time: Date, request: { subject?: string; context?: CaveatContext }) => {
    const result = await checks.check(await reader(time), {
      resource: { type: "document", id: "plan" },
      permission: "view",
      subject: { type: "user", id: request.subject ?? "alice" },
      ...(request.context === undefined ? {} : { context: request.context }),
    });
    return { result: result.result, missing: result.missing, validUntil: result.validUntil };
  };
  return { checks, lookups, readerAt: reader, check };
}

describe("the server's time", () => {
  it("is the decision's time to the whole second, and the answer lasts until that second ends", async () => {
    const { check } = await setUp([
      'document:plan#viewer@user:alice[on_the_second:{"at":"2025-06-02T12:00:00Z"}]',
    ]);
    expect(await check(at("12:00:00.750"), {})).toEqual({
      result: "allowed",
      missing: [],
      validUntil: ms("12:00:01"),
    });
    expect(await check(at("12:00:00.000"), {})).toMatchObject({
      result: "allowed",
      validUntil: ms("12:00:01"),
    });
    expect(await check(at("12:00:01.000"), {})).toEqual({
      result: "denied",
      missing: [],
      validUntil: ms("12:00:02"),
    });
  });

  it("holds business hours by the server's clock, in Check, CheckBulk and both lookups", async () => {
    const { checks, lookups, readerAt, check } = await setUp([
      "document:plan#parent@folder:eng",
      "folder:eng#viewer@user:alice[business_hours]",
      "document:notes#viewer@user:alice[business_hours]",
      "document:public#viewer@user:alice",
    ]);
    const inside = at("16:59:59.999");
    const outside = at("17:00:00.000");
    expect(await check(inside, {})).toMatchObject({ result: "allowed", validUntil: ms("17:00") });
    expect(await check(outside, {})).toMatchObject({
      result: "denied",
      validUntil: ms("17:00:01"),
    });

    const bulk = async (time: Date) =>
      checks.checkBulk(
        await readerAt(time),
        ["plan", "notes", "public"].map((id) => ({
          resource: { type: "document", id },
          permission: "view",
          subject: { type: "user", id: "alice" },
        })),
      );
    const kinds = (items: Awaited<ReturnType<typeof bulk>>) =>
      items.map((item) => (item.ok ? item.result.result : item.error.message));
    expect(kinds(await bulk(inside))).toEqual(["allowed", "allowed", "allowed"]);
    expect(kinds(await bulk(outside))).toEqual(["denied", "denied", "allowed"]);

    const resources = async (time: Date) =>
      (
        await collect(
          lookups.lookupResources(await readerAt(time), {
            resourceType: "document",
            permission: "view",
            subject: { type: "user", id: "alice" },
          }),
        )
      ).map((item) => item.id);
    expect(await resources(inside)).toEqual(["notes", "plan", "public"]);
    expect(await resources(outside)).toEqual(["public"]);

    const subjects = async (time: Date) =>
      (
        await lookups.lookupSubjects(await readerAt(time), {
          resource: { type: "document", id: "plan" },
          permission: "view",
          subjectType: "user",
        })
      ).map((item) => item.id);
    expect(await subjects(inside)).toEqual(["alice"]);
    expect(await subjects(outside)).toEqual([]);
  });

  it("gives way to a now the request or the relationship supplies; then the answer does not end with the second", async () => {
    const { check } = await setUp([
      "document:plan#viewer@user:alice[business_hours]",
      'document:plan#viewer@user:bob[business_hours:{"now":"2025-06-02T10:00:00Z"}]',
    ]);
    const evening = at("20:00:00.000");
    expect(await check(evening, {})).toMatchObject({ result: "denied" });
    expect(await check(evening, { context: { now: "2025-06-02T10:00:00Z" } })).toEqual({
      result: "allowed",
      missing: [],
      validUntil: Number.POSITIVE_INFINITY,
    });
    // The relationship's value wins over the request's, as for any parameter.
    expect(
      await check(evening, { subject: "bob", context: { now: "2025-06-02T20:00:00Z" } }),
    ).toEqual({ result: "allowed", missing: [], validUntil: Number.POSITIVE_INFINITY });
  });

  it("ends a denial that rests on it with the second too, exclusions included", async () => {
    const { check } = await setUp([
      "document:plan#viewer@user:alice",
      "document:plan#banned@user:alice[business_hours]",
    ]);
    expect(await check(at("12:00:00.500"), {})).toEqual({
      result: "denied",
      missing: [],
      validUntil: ms("12:00:01"),
    });
    expect(await check(at("20:00:00.500"), {})).toEqual({
      result: "allowed",
      missing: [],
      validUntil: ms("20:00:01"),
    });
  });

  it("leaves an answer that does not rest on it unbounded", async () => {
    const { check } = await setUp([
      "document:plan#viewer@user:alice",
      "document:plan#viewer@user:bob[business_hours]",
    ]);
    expect(await check(at("12:00:00.500"), {})).toEqual({
      result: "allowed",
      missing: [],
      validUntil: Number.POSITIVE_INFINITY,
    });
  });

  it("keeps an expiry that comes before the second ends", async () => {
    // The store refuses expiries already past: a second well in the future, expiring halfway.
    const second = Math.ceil((Date.now() + 86_400_000) / 1000) * 1000;
    const expiry = new Date(second + 500).toISOString();
    const { check } = await setUp([
      `document:plan#viewer@user:alice[business_hours][expiration:${expiry}]`,
    ]);
    const result = await check(new Date(second + 200), {});
    expect(result.validUntil).toBe(second + 500);
  });

  it("fills only a now of type timestamp", async () => {
    const { check } = await setUp(["document:plan#viewer@user:alice[hour_code]"]);
    expect(await check(at("12:00:00"), {})).toEqual({
      result: "conditional",
      missing: ["now"],
      validUntil: Number.POSITIVE_INFINITY,
    });
  });
});
