// Checks that an HTTP request's protobuf messages decode before connect-node parses them.

import type { DescMessage } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Compression, UniversalServerRequest } from "@connectrpc/connect/protocol";
import { toConnectError } from "./api-error.js";
import { decodeRequest } from "./decode-request.js";

/** How a binary content type frames its messages, and the header naming their compression. */
interface Framing {
  /** `whole`: the body is one message (Connect unary); `enveloped`: length-prefixed messages. */
  readonly kind: "whole" | "enveloped";
  readonly encodingHeader: string;
  /** The flag of an envelope that holds no message (connect-node skips it), 0 for none. */
  readonly endFlag: number;
}

const CONNECT_STREAM = {
  kind: "enveloped",
  encodingHeader: "connect-content-encoding",
  endFlag: 0x02,
} as const;
const GRPC_WEB = { kind: "enveloped", encodingHeader: "grpc-encoding", endFlag: 0x80 } as const;
const GRPC = { kind: "enveloped", encodingHeader: "grpc-encoding", endFlag: 0 } as const;

const FRAMINGS: Readonly<Record<string, Framing>> = {
  "application/proto": { kind: "whole", encodingHeader: "content-encoding", endFlag: 0 },
  "application/connect+proto": CONNECT_STREAM,
  "application/grpc-web": GRPC_WEB,
  "application/grpc-web+proto": GRPC_WEB,
  "application/grpc": GRPC,
  "application/grpc+proto": GRPC,
};

/** An envelope: a flags byte and the payload's length, 4 bytes big-endian. */
const ENVELOPE_HEADER_BYTES = 5;
/** The flag of an envelope whose payload is compressed. */
const COMPRESSED_FLAG = 0b1;

/**
 * withCheckedBody returns request with a body that yields the same bytes, but throws a ConnectError
 * INVALID_ARGUMENT, naming the message, as soon as a protobuf message in it (of type input,
 * decompressed as its headers say) does not decode, or is marked compressed when the request names
 * no compression. connect-node answers both with INTERNAL, which means a fault of Latch's; a
 * client's bad bytes are not. JSON bodies,
 * bodies past readMaxBytes and unknown compressions pass unchecked: connect-node refuses those
 * itself, with the right status.
 */
export function withCheckedBody(
  request: UniversalServerRequest,
  input: DescMessage,
  compressions: readonly Compression[],
  readMaxBytes: number,
): UniversalServerRequest {
  const { body, header } = request;
  const type = (header.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  const framing = FRAMINGS[type];
  if (framing === undefined || !isByteStream(body)) return request;
  const encoding = header.get(framing.encodingHeader);
  const compression =
    encoding === null || encoding === "identity"
      ? null
      : compressions.find((c) => c.name === encoding);
  if (compression === undefined) return request;
  const check = async (payload: Uint8Array, compressed: boolean) => {
    if (compressed && compression === null) {
      // connect-node answers this with INTERNAL; the client sent it wrong.
      throw new ConnectError(
        `a request message is marked compressed, but the request names no compression: send the header ${framing.encodingHeader}`,
        Code.InvalidArgument,
      );
    }
    const bytes =
      compressed && compression !== null
        ? await compression.decompress(payload, readMaxBytes)
        : payload;
    try {
      decodeRequest(input, bytes);
    } catch (error) {
      throw toConnectError(error);
    }
  };
  const checked =
    framing.kind === "whole"
      ? checkedWhole(body, (bytes) => check(bytes, compression !== null), readMaxBytes)
      : checkedEnvelopes(body, check, framing.endFlag, readMaxBytes);
  return { ...request, body: checked };
}

function isByteStream(body: unknown): body is AsyncIterable<Uint8Array> {
  return typeof body === "object" && body !== null && Symbol.asyncIterator in body;
}

/** checkedWhole yields a body that is one message, once check has decoded it whole. */
async function* checkedWhole(
  body: AsyncIterable<Uint8Array>,
  check: (bytes: Uint8Array) => Promise<void>,
  readMaxBytes: number,
): AsyncGenerator<Uint8Array> {
  const queue = new ByteQueue();
  let unchecked = false;
  for await (const chunk of body) {
    if (unchecked) {
      yield chunk;
      continue;
    }
    queue.push(chunk);
    if (queue.size > readMaxBytes) {
      unchecked = true;
      yield* queue.takeChunks();
    }
  }
  if (unchecked) return;
  const bytes = queue.take(queue.size);
  await check(bytes);
  yield bytes;
}

/**
 * checkedEnvelopes yields a body of envelopes, each once check has decoded its message: every
 * envelope but one flagged endFlag holds a message, whatever its other flags, as connect-node
 * parses them.
 */
async function* checkedEnvelopes(
  body: AsyncIterable<Uint8Array>,
  check: (payload: Uint8Array, compressed: boolean) => Promise<void>,
  endFlag: number,
  readMaxBytes: number,
): AsyncGenerator<Uint8Array> {
  const queue = new ByteQueue();
  let head: Uint8Array | undefined;
  let unchecked = false;
  for await (const chunk of body) {
    if (unchecked) {
      yield chunk;
      continue;
    }
    queue.push(chunk);
    for (;;) {
      if (head === undefined) {
        if (queue.size < ENVELOPE_HEADER_BYTES) break;
        head = queue.take(ENVELOPE_HEADER_BYTES);
      }
      const length = new DataView(head.buffer, head.byteOffset).getUint32(1);
      if (length > readMaxBytes) {
        unchecked = true;
        yield head;
        head = undefined;
        yield* queue.takeChunks();
        break;
      }
      if (queue.size < length) break;
      const payload = queue.take(length);
      const flags = head[0] ?? 0;
      if ((flags & endFlag) === 0) await check(payload, (flags & COMPRESSED_FLAG) !== 0);
      yield head;
      yield payload;
      head = undefined;
    }
  }
  // An incomplete envelope: connect-node refuses it.
  if (head !== undefined) yield head;
  yield* queue.takeChunks();
}

/** ByteQueue holds bytes received in chunks until whole messages can be taken from its front. */
class ByteQueue {
  size = 0;
  private chunks: Uint8Array[] = [];

  push(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.size += chunk.byteLength;
  }

  /** take removes the first n bytes (at most size) and returns them in one array. */
  take(n: number): Uint8Array {
    const bytes = new Uint8Array(n);
    for (let offset = 0; offset < n; ) {
      const chunk = this.chunks[0]!;
      const part = Math.min(chunk.byteLength, n - offset);
      bytes.set(chunk.subarray(0, part), offset);
      offset += part;
      if (part === chunk.byteLength) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(part);
    }
    this.size -= n;
    return bytes;
  }

  /** takeChunks removes and returns every chunk held. */
  takeChunks(): Uint8Array[] {
    const chunks = this.chunks;
    this.chunks = [];
    this.size = 0;
    return chunks;
  }
}
