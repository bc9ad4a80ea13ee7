// IP addresses and CIDR prefixes, parsed the way Go's net/netip does (SpiceDB's ipaddress type).

/** IpAddress is a parsed address: 4 octets for IPv4, 16 for IPv6 (including IPv4-mapped IPv6). */
export interface IpAddress {
  readonly octets: Uint8Array;
  /** The IPv6 zone after `%`, or "" when there is none. */
  readonly zone: string;
}

/** IpPrefix is a parsed CIDR prefix such as `10.0.0.0/8`. */
export interface IpPrefix {
  readonly octets: Uint8Array;
  readonly bits: number;
}

/** parseIpAddress parses an IPv4 or IPv6 address, or returns undefined when the text is not one. */
export function parseIpAddress(text: string): IpAddress | undefined {
  if (text.includes(":")) {
    return parseIpv6(text);
  }
  const octets = parseIpv4(text);
  return octets === undefined ? undefined : { octets, zone: "" };
}

/** parseIpPrefix parses CIDR notation (`10.0.0.0/8`, `2001:db8::/32`), or returns undefined. */
export function parseIpPrefix(text: string): IpPrefix | undefined {
  const slash = text.lastIndexOf("/");
  const bitsText = text.slice(slash + 1);
  if (slash < 0 || !/^(0|[1-9][0-9]{0,2})$/.test(bitsText)) {
    return undefined;
  }
  const address = parseIpAddress(text.slice(0, slash));
  const bits = Number(bitsText);
  if (address === undefined || address.zone !== "" || bits > address.octets.length * 8) {
    return undefined;
  }
  return { octets: address.octets, bits };
}

/**
 * prefixContains reports whether the prefix contains the address. As in Go, an IPv4 address never
 * matches an IPv6 prefix (and vice versa, IPv4-mapped addresses included), nor does a zoned address.
 */
export function prefixContains(prefix: IpPrefix, address: IpAddress): boolean {
  if (address.zone !== "" || address.octets.length !== prefix.octets.length) {
    return false;
  }
  for (let bit = 0; bit < prefix.bits; bit++) {
    const mask = 0x80 >> (bit % 8);
    const index = Math.floor(bit / 8);
    if (((address.octets[index] ?? 0) & mask) !== ((prefix.octets[index] ?? 0) & mask)) {
      return false;
    }
  }
  return true;
}

function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p))) {
    return undefined;
  }
  const octets = parts.map(Number);
  return octets.every((o) => o <= 255) ? Uint8Array.from(octets) : undefined;
}

function parseIpv6(text: string): IpAddress | undefined {
  const percent = text.indexOf("%");
  const zone = percent < 0 ? "" : text.slice(percent + 1);
  const body = percent < 0 ? text : text.slice(0, percent);
  if (percent >= 0 && zone === "") {
    return undefined;
  }
  const halves = body.split("::");
  if (halves.length > 2) {
    return undefined;
  }
  const head = parseGroups(halves[0] ?? "", halves.length === 1);
  const tail = halves.length === 2 ? parseGroups(halves[1] ?? "", true) : [];
  if (head === undefined || tail === undefined) {
    return undefined;
  }
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) {
    return undefined;
  }
  const groups = [...head, ...Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  const octets = new Uint8Array(16);
  groups.forEach((g, i) => {
    octets[2 * i] = g >> 8;
    octets[2 * i + 1] = g & 0xff;
  });
  return { octets, zone };
}

/** parseGroups parses colon-separated hex groups; the last may be an embedded IPv4 address. */
function parseGroups(text: string, ipv4Allowed: boolean): number[] | undefined {
  if (text === "") {
    return [];
  }
  const groups: number[] = [];
  const parts = text.split(":");
  for (const [i, part] of parts.entries()) {
    if (ipv4Allowed && i === parts.length - 1 && part.includes(".")) {
      const v4 = parseIpv4(part);
      if (v4 === undefined) {
        return undefined;
      }
      groups.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
    } else if (/^[0-9a-fA-F]{1,4}$/.test(part)) {
      groups.push(Number.parseInt(part, 16));
    } else {
      return undefined;
    }
  }
  return groups;
}
