// Canonical JSON for caveat contexts: object keys sorted at every level, so equal contexts print equally.

/**
 * canonicalJson writes value as JSON with object keys sorted (by UTF-16 code units) at every
 * level. Unlike JSON.stringify it keeps `-0`, so that JSON.parse gives back an equal value.
 * Values JSON cannot hold follow JSON.stringify: undefined properties are left out, undefined
 * array elements and non-finite numbers become null, and other objects are written through
 * JSON.stringify (a Date as its ISO string).
 */
export function canonicalJson(value: unknown): string {
  return write(value) ?? "null";
}

function write(value: unknown): string | undefined {
  if (typeof value === "number" && Object.is(value, -0)) return "-0";
  if (Array.isArray(value))
    return `[${value.map((element) => write(element) ?? "null").join(",")}]`;
  if (isPlainObject(value)) {
    const members: string[] = [];
    for (const key of Object.keys(value).sort()) {
      const member = write(value[key]);
      if (member !== undefined) members.push(`${JSON.stringify(key)}:${member}`);
    }
    return `{${members.join(",")}}`;
  }
  return JSON.stringify(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
