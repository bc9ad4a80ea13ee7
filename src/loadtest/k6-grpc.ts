// `k6/net/grpc` for one VU: Client (load, connect, asyncInvoke, close), Stream and the status
// codes, on @grpc/grpc-js. k6's synchronous `invoke` cannot exist in Node, where a call cannot
// block one VU without blocking all; scripts call `await client.asyncInvoke(...)`, which k6 runs
// too. Every unary call records its time in `grpc_req_duration` (milliseconds, with the VU's and
// the call's tags).

import { resolve } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { parseDuration } from "./duration.js";
import { loadDescriptors, reflectDescriptors } from "./grpc-descriptors.js";
import { LoadTestError } from "./load-test-error.js";
import { type MethodCodec, type MethodTable, methodTable } from "./method-table.js";
import { type K6Module, sampleTags, track, type VuContext } from "./vu-context.js";

/** k6's default call timeout. */
const DEFAULT_TIMEOUT_MS = 60_000;

/** Params are k6's call parameters that the runner honours. */
interface Params {
  metadata?: object;
  tags?: object;
  timeout?: string | number;
}

/** ConnectParams are k6's connection parameters that the runner honours. */
interface ConnectParams {
  plaintext?: boolean;
  reflect?: boolean;
  reflectMetadata?: object;
}

/** Response is k6's answer to a unary call. */
interface Response {
  status: number;
  message: object | null;
  headers: Record<string, unknown>;
  trailers: Record<string, unknown>;
  error: { code: number; details: string[]; message: string } | null;
}

const passBytes = (bytes: Uint8Array): Buffer =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
const keepBytes = (bytes: Buffer): Buffer => bytes;

function metadataOf(pairs: object | undefined): grpc.Metadata {
  const metadata = new grpc.Metadata();
  for (const [key, value] of Object.entries(pairs ?? {})) metadata.set(key, String(value));
  return metadata;
}

/** grpcModule makes `k6/net/grpc` for vu. */
export function grpcModule(vu: VuContext): K6Module {
  const duration = vu.registry.define("grpc_req_duration", "trend", true);

  class Client {
    private loaded: MethodTable | undefined;
    private channel: grpc.Client | undefined;
    private table: MethodTable | undefined;
    private ready: Promise<MethodTable> | undefined;

    /** load reads .proto files, for a connection without reflection; paths are the script's. */
    load(importPaths: string[], ...files: string[]): void {
      const paths = importPaths.map((path) => resolve(vu.scriptDirectory, path));
      this.loaded = methodTable(loadDescriptors(paths, files));
    }

    connect(address: string, params: ConnectParams = {}): void {
      if (params.plaintext !== true) {
        throw new LoadTestError(
          "unsupported",
          "the runner connects in plaintext only: pass { plaintext: true }",
        );
      }
      this.channel = new grpc.Client(address, grpc.credentials.createInsecure());
      if (params.reflect === true) {
        const key = `${address} ${JSON.stringify(params.reflectMetadata ?? {})}`;
        let described = vu.descriptors.get(key);
        if (described === undefined) {
          described = reflectDescriptors(address, metadataOf(params.reflectMetadata)).then(
            methodTable,
          );
          described.catch(() => undefined);
          vu.descriptors.set(key, described);
        }
        this.ready = described.then((table) => {
          this.table = table;
          return table;
        });
        this.ready.catch(() => undefined);
      } else if (this.loaded !== undefined) {
        this.table = this.loaded;
      } else {
        throw new LoadTestError("load", "connect without reflect needs client.load(...) first");
      }
    }

    invoke(): never {
      throw new LoadTestError(
        "unsupported",
        "client.invoke blocks the VU in k6, which Node cannot do: use `await client.asyncInvoke(...)` (k6 runs it too)",
      );
    }

    async asyncInvoke(name: string, request: object, params: Params = {}): Promise<Response> {
      const method = await this.method(name);
      const bytes = method.encode(request);
      const channel = this.channel!;
      const timeout =
        params.timeout === undefined ? DEFAULT_TIMEOUT_MS : parseTimeout(params.timeout);
      const started = performance.now();
      const response = await new Promise<Response>((resolve) => {
        let value: Buffer | undefined;
        let headers: Record<string, unknown> = {};
        const call = channel.makeUnaryRequest(
          method.path,
          passBytes,
          keepBytes,
          bytes,
          metadataOf(params.metadata),
          { deadline: Date.now() + timeout },
          (_error, answer) => {
            value = answer;
          },
        );
        call.on("metadata", (metadata: grpc.Metadata) => {
          headers = metadata.toJSON();
        });
        call.on("status", (status: grpc.StatusObject) => {
          const ok = status.code === grpc.status.OK && value !== undefined;
          resolve({
            status: status.code,
            message: ok ? method.decode(value!) : null,
            headers,
            trailers: status.metadata.toJSON(),
            error: ok ? null : { code: status.code, details: [], message: status.details },
          });
        });
      });
      vu.registry.add(duration, performance.now() - started, sampleTags(vu, params.tags));
      return response;
    }

    close(): void {
      this.channel?.close();
      this.channel = undefined;
    }

    /** open starts a streaming call of method, once connected, for Stream. */
    async open(
      name: string,
      params: Params,
    ): Promise<grpc.ClientDuplexStream<Uint8Array, Buffer> & { codec: MethodCodec }> {
      const method = await this.method(name);
      if (!method.streaming) throw new LoadTestError("method", `${name} is not a streaming method`);
      const call = this.channel!.makeBidiStreamRequest(
        method.path,
        passBytes,
        keepBytes,
        metadataOf(params.metadata),
        {
          deadline:
            Date.now() +
            (params.timeout === undefined ? DEFAULT_TIMEOUT_MS : parseTimeout(params.timeout)),
        },
      );
      return Object.assign(call, { codec: method });
    }

    private async method(name: string): Promise<MethodCodec> {
      if (this.channel === undefined)
        throw new LoadTestError("method", `${name}: the client is not connected`);
      const table = this.table ?? (await this.ready!);
      return table.method(name);
    }
  }

  type Listener = (data: object | undefined) => void;

  /** Stream is a streaming call: write, end, and listen for data, error and end. */
  class Stream {
    private readonly listeners = new Map<string, Listener[]>();
    private readonly opened: Promise<
      grpc.ClientDuplexStream<Uint8Array, Buffer> & { codec: MethodCodec }
    >;

    constructor(client: Client, name: string, params: Params = {}) {
      this.opened = client.open(name, params);
      track(
        vu,
        this.opened.then(
          (call) =>
            new Promise<void>((resolve, reject) => {
              const emit = (event: string, data: object | undefined) => {
                try {
                  for (const listener of this.listeners.get(event) ?? []) listener(data);
                } catch (error) {
                  reject(error);
                }
              };
              call.on("data", (bytes: Buffer) => emit("data", call.codec.decode(bytes)));
              call.on("error", (error: grpc.ServiceError) => {
                emit("error", {
                  code: error.code,
                  details: [],
                  message: error.details || error.message,
                });
                resolve();
              });
              call.on("status", (status: grpc.StatusObject) => {
                if (status.code !== grpc.status.OK) return;
                emit("end", undefined);
                resolve();
              });
            }),
        ),
      );
    }

    on(event: string, listener: Listener): void {
      this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    }

    write(request: object): void {
      track(
        vu,
        this.opened.then((call) => {
          call.write(call.codec.encode(request));
        }),
      );
    }

    end(): void {
      track(
        vu,
        this.opened.then((call) => {
          call.end();
        }),
      );
    }
  }

  return { Client, Stream, ...STATUS, default: { Client, Stream, ...STATUS } };
}

function parseTimeout(value: string | number): number {
  return parseDuration(value, "params.timeout");
}

/** STATUS is k6's names for the gRPC status codes. */
const STATUS = {
  StatusOK: grpc.status.OK,
  StatusCanceled: grpc.status.CANCELLED,
  StatusUnknown: grpc.status.UNKNOWN,
  StatusInvalidArgument: grpc.status.INVALID_ARGUMENT,
  StatusDeadlineExceeded: grpc.status.DEADLINE_EXCEEDED,
  StatusNotFound: grpc.status.NOT_FOUND,
  StatusAlreadyExists: grpc.status.ALREADY_EXISTS,
  StatusPermissionDenied: grpc.status.PERMISSION_DENIED,
  StatusResourceExhausted: grpc.status.RESOURCE_EXHAUSTED,
  StatusFailedPrecondition: grpc.status.FAILED_PRECONDITION,
  StatusAborted: grpc.status.ABORTED,
  StatusOutOfRange: grpc.status.OUT_OF_RANGE,
  StatusUnimplemented: grpc.status.UNIMPLEMENTED,
  StatusInternal: grpc.status.INTERNAL,
  StatusUnavailable: grpc.status.UNAVAILABLE,
  StatusDataLoss: grpc.status.DATA_LOSS,
  StatusUnauthenticated: grpc.status.UNAUTHENTICATED,
};
