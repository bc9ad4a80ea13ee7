// A response many calls share, given one call's own string field: encoded as the shared bytes and that field.

import type { DescField } from "@bufbuild/protobuf";

const SHARED = Symbol("shared response");

/** What a response made by {@link withOwnString} adds to the response it shares. */
interface OwnString {
  readonly shared: object;
  readonly fieldNumber: number;
  readonly value: string;
}

/**
 * withOwnString is the frozen response `shared` (one message answering many calls, whose
 * encoding is kept: see encodeOnce) with `field`, a string field it leaves empty, set to value
 * for one call. It is a message like any other to every reader; the gRPC adapter encodes it as the
 * shared message's bytes followed by the field's (a field may come anywhere in protobuf's wire
 * format), rather than encoding the whole message again for each call.
 */
export function withOwnString<T extends object>(shared: T, field: DescField, value: string): T {
  const own: OwnString = { shared, fieldNumber: field.number, value };
  return { ...shared, [field.localName]: value, [SHARED]: own };
}

/**
 * encodeShared is the encoding of a response made by {@link withOwnString}, the shared part
 * encoded by encodeShared (once, for a frozen message), or undefined for any other message.
 */
export function encodeShared(
  message: unknown,
  encode: (shared: object) => Buffer,
): Buffer | undefined {
  const own = (message as { [SHARED]?: OwnString })[SHARED];
  if (own === undefined) return undefined;
  const shared = encode(own.shared);
  if (own.value === "") return shared;
  const tag = (own.fieldNumber << 3) | 2; // wire type 2: length-delimited
  const length = Buffer.byteLength(own.value);
  const bytes = Buffer.allocUnsafe(shared.length + varintSize(tag) + varintSize(length) + length);
  shared.copy(bytes);
  let at = writeVarint(bytes, shared.length, tag);
  at = writeVarint(bytes, at, length);
  bytes.write(own.value, at);
  return bytes;
}

function varintSize(n: number): number {
  let size = 1;
  for (let rest = n; rest > 0x7f; rest >>>= 7) size++;
  return size;
}

/** writeVarint writes n at `at` as a protobuf varint, and returns where it ends. */
function writeVarint(bytes: Buffer, at: number, n: number): number {
  let offset = at;
  let rest = n;
  while (rest > 0x7f) {
    bytes[offset++] = (rest & 0x7f) | 0x80;
    rest >>>= 7;
  }
  bytes[offset++] = rest;
  return offset;
}
