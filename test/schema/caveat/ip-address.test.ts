import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  parseIpAddress,
  parseIpPrefix,
  prefixContains,
} from "../../../src/schema/caveat/ip-address.js";
import { caveat } from "./caveat-helpers.js";

const inCidr = caveat("ip.in_cidr(cidr)", { ip: "ipaddress", cidr: "string" });
const contains = (ip: string, cidr: string) => inCidr.evaluate({ ip, cidr });
const yes = { kind: "true" };
const no = { kind: "false" };

describe("parseIpAddress", () => {
  it.each([
    ["10.0.0.1", [10, 0, 0, 1]],
    ["255.255.255.255", [255, 255, 255, 255]],
    ["0.0.0.0", [0, 0, 0, 0]],
  ])("parses IPv4 %s", (text, octets) => {
    expect(parseIpAddress(text)).toEqual({ octets: Uint8Array.from(octets), zone: "" });
  });

  it.each([
    ["::", "00000000000000000000000000000000"],
    ["::1", "00000000000000000000000000000001"],
    ["2001:db8::1", "20010db8000000000000000000000001"],
    ["2001:DB8:0:0:8:800:200C:417A", "20010db80000000000080800200c417a"],
    ["fe80::", "fe800000000000000000000000000000"],
    ["::ffff:10.0.0.1", "00000000000000000000ffff0a000001"],
    ["1:2:3:4:5:6:7::", "00010002000300040005000600070000"],
  ])("parses IPv6 %s", (text, hex) => {
    expect(Buffer.from(parseIpAddress(text)?.octets ?? []).toString("hex")).toBe(hex);
  });

  it("keeps an IPv6 zone", () => {
    expect(parseIpAddress("fe80::1%eth0")?.zone).toBe("eth0");
  });

  it.each([
    "",
    "10.0.0",
    "10.0.0.0.1",
    "256.0.0.1",
    "01.0.0.1",
    "1.2.3.-4",
    " 10.0.0.1",
    "10.0.0.1%eth0",
    "1:2:3:4:5:6:7:8:9",
    "1:2:3:4:5:6:7",
    "1:2:3:4:5:6:7:8::",
    "1::2::3",
    "12345::",
    "::ffff:10.0.0",
    "::10.0.0.1:1",
    "fe80::1%",
    ":1::",
    "g::1",
  ])("rejects %j", (text) => {
    expect(parseIpAddress(text)).toBeUndefined();
  });
});

describe("parseIpPrefix", () => {
  it.each([
    "10.0.0.0/8",
    "10.1.2.3/8",
    "0.0.0.0/0",
    "1.2.3.4/32",
    "2001:db8::/32",
    "::/0",
    "::1/128",
  ])("parses %s", (text) => {
    expect(parseIpPrefix(text)).toBeDefined();
  });

  it.each([
    "10.0.0.0",
    "10.0.0.0/33",
    "::/129",
    "10.0.0.0/08",
    "10.0.0.0/",
    "10.0.0.0/-1",
    "fe80::%eth0/64",
    "x/8",
  ])("rejects %s", (text) => {
    expect(parseIpPrefix(text)).toBeUndefined();
  });
});

describe("in_cidr", () => {
  it.each([
    ["10.1.2.3", "10.0.0.0/8", yes],
    ["11.0.0.1", "10.0.0.0/8", no],
    ["192.168.1.77", "192.168.1.64/26", yes],
    ["192.168.1.128", "192.168.1.64/26", no],
    ["8.8.8.8", "0.0.0.0/0", yes],
    ["10.0.0.1", "10.0.0.1/32", yes],
    ["10.0.0.2", "10.0.0.1/32", no],
  ])("IPv4 %s in %s", (ip, cidr, expected) => {
    expect(contains(ip, cidr)).toEqual(expected);
  });

  it.each([
    ["2001:db8::1", "2001:db8::/32", yes],
    ["2001:db9::1", "2001:db8::/32", no],
    ["::1", "::1/128", yes],
    ["fe80::abcd", "fe80::/10", yes],
    ["febf::1", "fe80::/10", yes],
    ["fec0::1", "fe80::/10", no],
  ])("IPv6 %s in %s", (ip, cidr, expected) => {
    expect(contains(ip, cidr)).toEqual(expected);
  });

  it("never mixes families, like Go's netip", () => {
    expect(contains("10.0.0.1", "::ffff:10.0.0.0/104")).toEqual(no);
    expect(contains("::ffff:10.0.0.1", "10.0.0.0/8")).toEqual(no);
    expect(contains("::ffff:10.0.0.1", "::ffff:10.0.0.0/104")).toEqual(yes);
    expect(contains("10.0.0.1", "::/0")).toEqual(no);
  });

  it("never matches a zoned address", () => {
    expect(contains("fe80::1%eth0", "fe80::/10")).toEqual(no);
  });

  it("agrees with integer arithmetic on IPv4", () => {
    const ipv4 = fc.integer({ min: 0, max: 2 ** 32 - 1 });
    const dotted = (n: number) => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".");
    fc.assert(
      fc.property(ipv4, ipv4, fc.integer({ min: 0, max: 32 }), (address, network, bits) => {
        const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
        const expected = (address & mask) >>> 0 === (network & mask) >>> 0;
        const prefix = parseIpPrefix(`${dotted(network)}/${bits}`);
        const parsed = parseIpAddress(dotted(address));
        expect(prefix && parsed && prefixContains(prefix, parsed)).toBe(expected);
      }),
    );
  });

  it("agrees with the address's own bits on IPv6", () => {
    const bytes = fc.uint8Array({ minLength: 16, maxLength: 16 });
    const text = (b: Uint8Array) =>
      Array.from({ length: 8 }, (_, i) =>
        (((b[2 * i] ?? 0) << 8) | (b[2 * i + 1] ?? 0)).toString(16),
      ).join(":");
    fc.assert(
      fc.property(bytes, fc.integer({ min: 0, max: 128 }), (address, bits) => {
        const prefix = parseIpPrefix(`${text(address)}/${bits}`);
        const parsed = parseIpAddress(text(address));
        expect(prefix && parsed && prefixContains(prefix, parsed)).toBe(true);
        if (bits > 0) {
          const flipped = Uint8Array.from(address);
          const bit = bits - 1;
          flipped[bit >> 3] = (flipped[bit >> 3] ?? 0) ^ (0x80 >> (bit & 7));
          const other = parseIpAddress(text(flipped));
          expect(prefix && other && prefixContains(prefix, other)).toBe(false);
        }
      }),
    );
  });
});
