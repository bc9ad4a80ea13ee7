import { describe, expect, it } from "vitest";
import { validateCaveatContext } from "../../../src/schema/caveat/validate-caveat-context.js";
import { caveat } from "./caveat-helpers.js";

describe("validateCaveatContext", () => {
  const onNetwork = caveat("ip.in_cidr(cidr) && now < expires", {
    ip: "ipaddress",
    cidr: "string",
    now: "timestamp",
    expires: "timestamp",
  });

  it("accepts a partial context with well-typed values", () => {
    expect(
      validateCaveatContext(onNetwork, { cidr: "10.0.0.0/8", expires: "2030-01-01T00:00:00Z" }),
    ).toEqual([]);
    expect(validateCaveatContext(onNetwork, {})).toEqual([]);
  });

  it("reports every value of the wrong type", () => {
    expect(validateCaveatContext(onNetwork, { cidr: 8, expires: "tomorrow" })).toEqual([
      { parameter: "cidr", message: "parameter 'cidr' must be a string, but got number 8" },
      {
        parameter: "expires",
        message:
          "parameter 'expires' must be a timestamp (an RFC 3339 string such as \"2024-01-01T00:00:00Z\"), but got string \"tomorrow\": at position 1: expected a digit, found 't'",
      },
    ]);
  });

  it("reports names that are not parameters, suggesting a close one", () => {
    expect(
      validateCaveatContext(onNetwork, { expiry: "2030-01-01T00:00:00Z", zone: "eu" }),
    ).toEqual([
      {
        parameter: "expiry",
        message:
          "caveat 'test_caveat' has no parameter 'expiry' (did you mean 'expires'?); its parameters are ip, cidr, now, expires",
      },
      {
        parameter: "zone",
        message:
          "caveat 'test_caveat' has no parameter 'zone'; its parameters are ip, cidr, now, expires",
      },
    ]);
  });

  it("says when a caveat has no parameters", () => {
    expect(validateCaveatContext(caveat("true"), { a: 1 })).toEqual([
      { parameter: "a", message: "caveat 'test_caveat' has no parameter 'a'; it has none" },
    ]);
  });
});
