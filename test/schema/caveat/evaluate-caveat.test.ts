import { afterEach, describe, expect, it } from "vitest";
import { caveat } from "./caveat-helpers.js";

const yes = { kind: "true" };
const no = { kind: "false" };
const missing = (...names: string[]) => ({ kind: "missing", missing: names });

describe("evaluate", () => {
  describe("with absent parameters", () => {
    const or = caveat("a || b", { a: "bool", b: "bool" });
    const and = caveat("a && b", { a: "bool", b: "bool" });

    it("returns the result when the present ones decide it", () => {
      expect(or.evaluate({ a: true })).toEqual(yes);
      expect(or.evaluate({ b: true })).toEqual(yes);
      expect(and.evaluate({ a: false })).toEqual(no);
      expect(and.evaluate({ b: false })).toEqual(no);
    });

    it("lists what is missing when they do not", () => {
      expect(or.evaluate({ a: false })).toEqual(missing("b"));
      expect(and.evaluate({ b: true })).toEqual(missing("a"));
      expect(or.evaluate({})).toEqual(missing("a", "b"));
    });

    it("lists every parameter the result depends on, sorted, through nested && and ||", () => {
      const params = { d: "bool", c: "bool", b: "bool", a: "bool" };
      expect(caveat("d && c && b && a", params).evaluate({})).toEqual(missing("a", "b", "c", "d"));
      expect(caveat("(a || b) && (c || d)", params).evaluate({})).toEqual(
        missing("a", "b", "c", "d"),
      );
      expect(caveat("!(a && b) || c", params).evaluate({ b: true })).toEqual(missing("a", "c"));
    });

    it("leaves out parameters whose unknown value was absorbed", () => {
      const params = { a: "bool", b: "bool", c: "bool" };
      expect(caveat("(a || true) && c", params).evaluate({})).toEqual(missing("c"));
      expect(caveat("(a && b) || c", params).evaluate({ a: false })).toEqual(missing("c"));
    });

    it("treats comparisons and function calls on absent values as unknown", () => {
      const c = caveat("count > 5 || ip.in_cidr('10.0.0.0/8')", { count: "int", ip: "ipaddress" });
      expect(c.evaluate({ count: 6 })).toEqual(yes);
      expect(c.evaluate({ count: 1 })).toEqual(missing("ip"));
      expect(c.evaluate({ ip: "10.1.1.1" })).toEqual(yes);
      expect(c.evaluate({})).toEqual(missing("count", "ip"));
    });

    it("lets an unknown outweigh an error beneath other operators, as CEL does", () => {
      const params = { a: "bool", n: "int" };
      expect(caveat("false || ((1 / n == 1) && a)", params).evaluate({ n: 0 })).toEqual(
        missing("a"),
      );
      expect(caveat("((1 / n == 1) || a) && true", params).evaluate({ n: 0 })).toEqual(
        missing("a"),
      );
    });

    it("lists every absent parameter a macro or a '?:' left undecided names", () => {
      const params = { a: "int", b: "int", m: "map<int>" };
      expect(caveat("[1].exists(x, b == x || a == x)", params).evaluate({})).toEqual(
        missing("a", "b"),
      );
      expect(caveat("((has(m.k) && a < 2) ? 1 : 2) == 1", params).evaluate({})).toEqual(
        missing("a", "m"),
      );
    });

    it("does not list parameters the expression does not use", () => {
      expect(caveat("a", { a: "bool", unused: "int" }).evaluate({})).toEqual(missing("a"));
    });

    it("prefers missing over a runtime error elsewhere", () => {
      const c = caveat("x / y > 1 || b", { x: "int", y: "int", b: "bool" });
      expect(c.evaluate({ x: 1, y: 0 })).toEqual(missing("b"));
      expect(c.evaluate({ x: 1, y: 0, b: true })).toEqual(yes);
    });

    it("treats an undefined value as absent", () => {
      expect(caveat("a", { a: "bool" }).evaluate({ a: undefined })).toEqual(missing("a"));
    });
  });

  describe("runtime errors", () => {
    it("are reported when every parameter is present", () => {
      expect(caveat("x / y > 1", { x: "int", y: "int" }).evaluate({ x: 1, y: 0 })).toEqual({
        kind: "error",
        message: "caveat 'test_caveat' failed to evaluate: int divide by zero",
      });
      expect(caveat("m['k'] > 1", { m: "map<int>" }).evaluate({ m: {} })).toEqual({
        kind: "error",
        message: "caveat 'test_caveat' failed to evaluate: field not found: k",
      });
      expect(caveat("l[3] == 1", { l: "list<int>" }).evaluate({ l: [1] })).toMatchObject({
        kind: "error",
      });
      expect(caveat("x + 1 > 0", { x: "int" }).evaluate({ x: "9223372036854775807" })).toEqual({
        kind: "error",
        message: "caveat 'test_caveat' failed to evaluate: int overflow during _+_",
      });
    });

    it("are absorbed like unknowns when the other side decides", () => {
      expect(
        caveat("m['k'] > 1 || ok", { m: "map<int>", ok: "bool" }).evaluate({ m: {}, ok: true }),
      ).toEqual(yes);
    });

    it("include invalid time zones and CIDRs", () => {
      expect(
        caveat("t.getHours('Mars/Olympus') > 1", { t: "timestamp" }).evaluate({
          t: "2024-01-01T00:00:00Z",
        }),
      ).toMatchObject({
        kind: "error",
        message: expect.stringContaining("Mars/Olympus"),
      });
      expect(
        caveat("ip.in_cidr(net)", { ip: "ipaddress", net: "string" }).evaluate({
          ip: "10.0.0.1",
          net: "10.0.0.0/33",
        }),
      ).toEqual({
        kind: "error",
        message:
          "caveat 'test_caveat' failed to evaluate: invalid CIDR '10.0.0.0/33'; expected an address and a prefix length, e.g. '10.0.0.0/8'",
      });
    });
  });

  describe("standard CEL that SpiceDB caveats use", () => {
    const t = (
      expression: string,
      context: Record<string, unknown>,
      parameters: Record<string, string>,
    ) => caveat(expression, parameters).evaluate(context);

    it("compares timestamps and adds durations", () => {
      const params = { now: "timestamp", expires: "timestamp" };
      const context = { now: "2024-05-01T10:00:00Z", expires: "2024-05-01T12:00:00Z" };
      expect(t("now < expires", context, params)).toEqual(yes);
      expect(t("now + duration('3h') < expires", context, params)).toEqual(no);
      expect(t("expires - now == duration('2h')", context, params)).toEqual(yes);
      expect(t("now > timestamp('2024-01-01T00:00:00Z')", context, params)).toEqual(yes);
    });

    it("reads calendar fields in UTC, or in a given time zone", () => {
      const params = { now: "timestamp" };
      // Sunday 2024-03-10 15:30:45.250 UTC; in New York (EDT since 07:00 UTC that day) 11:30.
      const now = { now: "2024-03-10T15:30:45.250Z" };
      const cases: [string, number][] = [
        ["now.getFullYear()", 2024],
        ["now.getMonth()", 2],
        ["now.getDate()", 10],
        ["now.getDayOfMonth()", 9],
        ["now.getDayOfWeek()", 0],
        ["now.getDayOfYear()", 69],
        ["now.getHours()", 15],
        ["now.getMinutes()", 30],
        ["now.getSeconds()", 45],
        ["now.getMilliseconds()", 250],
        ["now.getHours('UTC')", 15],
        ["now.getHours('America/New_York')", 11],
        ["now.getHours('Asia/Kolkata')", 21],
        ["now.getMinutes('Asia/Kolkata')", 0],
        ["now.getHours('+05:30')", 21],
        ["now.getHours('-08:00')", 7],
        ["now.getDayOfWeek('Pacific/Kiritimati')", 1],
      ];
      for (const [accessor, expected] of cases) {
        expect(t(`${accessor} == ${expected}`, now, params), accessor).toEqual(yes);
      }
    });

    it("reads calendar fields of early years", () => {
      const early = { t: "0050-03-01T12:00:00Z" };
      expect(
        t("t.getDayOfYear() == 59 && t.getFullYear() == 50 && t.getMonth() == 2", early, {
          t: "timestamp",
        }),
      ).toEqual(yes);
    });

    it("reads durations", () => {
      const d = { d: "1h30m15s" };
      expect(
        t("d.getHours() == 1 && d.getMinutes() == 90 && d.getSeconds() == 5415", d, {
          d: "duration",
        }),
      ).toEqual(yes);
    });

    it("checks membership, strings, sizes, lists and maps", () => {
      const params = {
        region: "string",
        allowed: "list<string>",
        limits: "map<int>",
        name: "string",
      };
      const context = {
        region: "eu",
        allowed: ["us", "eu"],
        limits: { eu: 3 },
        name: "svc-billing",
      };
      const expressions = [
        "region in allowed",
        "region in limits && limits[region] == 3",
        "name.startsWith('svc-') && name.endsWith('ing') && name.contains('bill')",
        "name.matches('^svc-[a-z]+$')",
        "size(allowed) == 2 && allowed.size() == 2 && size(name) == 11",
        "allowed.exists(r, r == region) && allowed.all(r, r.size() == 2)",
        "allowed.exists_one(r, r == 'us') && allowed.filter(r, r != 'us') == ['eu']",
        "allowed.map(r, r + '!') == ['us!', 'eu!'] && allowed + ['ap'] == ['us', 'eu', 'ap']",
        "has(limits.eu) && !has(limits.us)",
        "region == 'eu' ? limits.eu > 2 : false",
      ];
      for (const expression of expressions) {
        expect(t(expression, context, params), expression).toEqual(yes);
      }
      expect(t("region in allowed", { region: "ap", allowed: ["us"] }, params)).toEqual(no);
    });
  });

  describe("a business-hours caveat", () => {
    const businessHours = caveat(
      "now.getDayOfWeek('Europe/Berlin') >= 1 && now.getDayOfWeek('Europe/Berlin') <= 5 && " +
        "now.getHours('Europe/Berlin') >= 9 && now.getHours('Europe/Berlin') < 17",
      { now: "timestamp" },
    );

    it.each([
      ["2024-06-03T07:00:00Z", yes], // Monday 09:00 in Berlin (CEST)
      ["2024-06-03T06:59:59Z", no], // Monday 08:59:59
      ["2024-06-07T14:59:59Z", yes], // Friday 16:59:59
      ["2024-06-07T15:00:00Z", no], // Friday 17:00
      ["2024-06-08T10:00:00Z", no], // Saturday
      ["2024-01-08T08:30:00Z", yes], // Monday 09:30 in winter (CET)
    ])("at %s", (now, expected) => {
      expect(businessHours.evaluate({ now })).toEqual(expected);
    });

    it("is missing the time when it is not given", () => {
      expect(businessHours.evaluate({})).toEqual(missing("now"));
    });

    it("in UTC, by the hour", () => {
      const utc = caveat("now.getHours() >= 9 && now.getHours() < 17", { now: "timestamp" });
      expect(utc.evaluate({ now: "2024-01-01T09:00:00Z" })).toEqual(yes);
      expect(utc.evaluate({ now: "2024-01-01T17:00:00Z" })).toEqual(no);
      expect(utc.evaluate({ now: "2024-01-01T18:00:00+02:00" })).toEqual(yes);
    });
  });

  describe("does not depend on the process's time zone", () => {
    const saved = process.env.TZ;
    afterEach(() => {
      // Assigned undefined, process.env would hold the string "undefined".
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    });

    it("on a daylight-saving transition day", () => {
      process.env.TZ = "America/New_York";
      const hours = caveat(
        "now.getHours() == 2 && now.getHours('UTC') == 2 && now.getDayOfYear() == 69",
        {
          now: "timestamp",
        },
      );
      // 02:30 does not exist on this day in New York; in UTC it does.
      expect(hours.evaluate({ now: "2024-03-10T02:30:00Z" })).toEqual(yes);
    });
  });
});
