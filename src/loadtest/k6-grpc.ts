// `k6/net/grpc` for one VU: Client (load, connect, asyncInvoke, close), Stream and the status
// codes. k6's synchronous `invoke` cannot exist in Node, where a call cannot block one VU without
// blocking all; scripts call `await client.asyncInvoke(...)`, which k6 runs too. Calls go over
// the run's HTTP/2 connection to the target (see GrpcConnection); every unary call records its
// time in `grpc_req_duration` (milliseconds, with the VU's and the call's tags).

import { resolve } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { parseDuration } from "./duration.js";
import { GrpcConnection, type GrpcReply } from "./grpc-connection.js";
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
  headers: Record<string, string[]>;
  trailers: Record<string, string[]>;
  error: { code: number; details: string[]; message: string } | null;
}

function textMetadata(pairs: object | undefined): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(pairs ?? {}))
    metadata[key.toLowerCase()] = String(value);
  return metadata;
}

function timeoutOf(params: Params): number {
  return params.timeout === undefined
    ? DEFAULT_TIMEOUT_MS
    : parseDuration(params.timeout, "params.timeout");
}

/** grpcModule makes `k6/net/grpc` for vu. */
export function grpcModule(vu: VuContext): K6Module {
  const duration = vu.registry.define("grpc_req_duration", "trend", true);

  class Client {
    private loaded: MethodTable | undefined;
    private connection: GrpcConnection | undefined;
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
      let connection = vu.connections.get(address);
      if (connection === undefined) {
        connection = new GrpcConnection(address);
        vu.connections.set(address, connection);
      }
      this.connection = connection;
      if (params.reflect === true) {
        const key = `${address} ${JSON.stringify(params.reflectMetadata ?? {})}`;
        let described = vu.descriptors.get(key);
        if (described === undefined) {
          const metadata = new grpc.Metadata();
          for (const [k, v] of Object.entries(textMetadata(params.reflectMetadata)))
            metadata.set(k, v);
          described = reflectDescriptors(address, metadata).then(methodTable);
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
      const started = performance.now();
      let answer: Buffer | undefined;
      const reply = await new Promise<GrpcReply>((done) => {
        const call = this.connection!.call(
          method.path,
          textMetadata(params.metadata),
          timeoutOf(params),
          {
            message: (message) => {
              answer ??= message;
            },
            end: done,
          },
        );
        call.write(bytes);
        call.end();
      });
      vu.registry.add(duration, performance.now() - started, sampleTags(vu, params.tags));
      const ok = reply.status === grpc.status.OK && answer !== undefined;
      return {
        status:
          reply.status === grpc.status.OK && answer === undefined
            ? grpc.status.INTERNAL
            : reply.status,
        message: ok ? method.decode(answer!) : null,
        headers: reply.headers,
        trailers: reply.trailers,
        error: ok
          ? null
          : { code: reply.status, details: [], message: reply.details || "no response message" },
      };
    }

    close(): void {
      this.connection = undefined;
    }

    /** stream starts a streaming call of method, once connected, for Stream. */
    async stream(
      name: string,
      params: Params,
      handlers: StreamHandlers,
    ): Promise<{ write(request: object): void; end(): void }> {
      const method = await this.method(name);
      if (!method.streaming) throw new LoadTestError("method", `${name} is not a streaming method`);
      const call = this.connection!.call(
        method.path,
        textMetadata(params.metadata),
        timeoutOf(params),
        {
          message: (bytes) => handlers.data(method.decode(bytes)),
          end: handlers.end,
        },
      );
      return { write: (request) => call.write(method.encode(request)), end: () => call.end() };
    }

    private async method(name: string): Promise<MethodCodec> {
      if (this.connection === undefined)
        throw new LoadTestError("method", `${name}: the client is not connected`);
      const table = this.table ?? (await this.ready!);
      return table.method(name);
    }
  }

  interface StreamHandlers {
    data(message: object): void;
    end(reply: GrpcReply): void;
  }

  type Listener = (data: object | undefined) => void;

  /** Stream is a streaming call: write, end, and listen for data, error and end. */
  class Stream {
    private readonly listeners = new Map<string, Listener[]>();
    private readonly opened: Promise<{ write(request: object): void; end(): void }>;

    constructor(client: Client, name: string, params: Params = {}) {
      let settle: { resolve: () => void; reject: (error: unknown) => void } | undefined;
      const ended = new Promise<void>((resolve, reject) => {
        settle = { resolve, reject };
      });
      const emit = (event: string, data: object | undefined) => {
        try {
          for (const listener of this.listeners.get(event) ?? []) listener(data);
        } catch (error) {
          settle!.reject(error);
        }
      };
      this.opened = client.stream(name, params, {
        data: (message) => emit("data", message),
        end: (reply) => {
          if (reply.status === grpc.status.OK) emit("end", undefined);
          else emit("error", { code: reply.status, details: [], message: reply.details });
          settle!.resolve();
        },
      });
      track(
        vu,
        this.opened.then(() => ended),
      );
    }

    on(event: string, listener: Listener): void {
      this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    }

    write(request: object): void {
      track(
        vu,
        this.opened.then((call) => call.write(request)),
      );
    }

    end(): void {
      track(
        vu,
        this.opened.then((call) => call.end()),
      );
    }
  }

  return { Client, Stream, ...STATUS, default: { Client, Stream, ...STATUS } };
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
