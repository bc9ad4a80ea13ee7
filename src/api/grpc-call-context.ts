// The context of one grpc-js call, as Connect handlers expect it, made cheaply for the hot path.

import type { DescMethod, DescService } from "@bufbuild/protobuf";
import {
  Code,
  ConnectError,
  type ContextValues,
  createContextValues,
  type HandlerContext,
} from "@connectrpc/connect";
import type * as grpc from "@grpc/grpc-js";
import { Metadata } from "@grpc/grpc-js";

/**
 * OneTrailer is a call's trailer of one header, given to grpc-js as its trailer metadata: what
 * grpc-js does with that on a server is copy it (clone) and read its HTTP/2 headers
 * (toHttp2Headers), and this does both without a Metadata's Map, arrays and checks of key and
 * value (the server writes both). It is its own copy: nothing changes it once made (grpc-js
 * would add to its copy only ORCA metrics, which Latch's server is not set up to record).
 *
 * Measured on the hot Check over gRPC (the server benchmark's paired rounds, a trailer on every
 * call against none): the server's CPU per call 7-10% above none with a Metadata, even one whose
 * clone and toHttp2Headers are overridden as these are, and 0-3% with this.
 */
class OneTrailer {
  constructor(
    readonly name: string,
    readonly value: string,
  ) {}

  clone(): grpc.Metadata {
    return this.asMetadata();
  }

  toHttp2Headers(): ReturnType<grpc.Metadata["toHttp2Headers"]> {
    return { [this.name]: this.value };
  }

  /** asMetadata is this trailer typed as what grpc-js takes, which reads only the methods above. */
  asMetadata(): grpc.Metadata {
    return this as unknown as grpc.Metadata;
  }

  /** toMetadata is the trailer as metadata of the usual kind, for a call that adds to it. */
  toMetadata(): grpc.Metadata {
    const metadata = new Metadata();
    metadata.set(this.name, this.value);
    return metadata;
  }
}

type AnyCall = grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerReadableStream<unknown, unknown>;

/**
 * LiveCalls holds the calls in flight, so that a shutdown aborts them all with one listener
 * instead of every call listening to the server's shutdown signal.
 */
export class LiveCalls {
  private readonly calls = new Set<AbortController>();
  private closed = false;

  /** add registers a call's controller; after shutdown it is aborted at once. */
  add(controller: AbortController): void {
    if (this.closed) controller.abort(shutdownError());
    else this.calls.add(controller);
  }

  /** delete forgets a finished call. */
  delete(controller: AbortController): void {
    this.calls.delete(controller);
  }

  /** abortAll aborts every call in flight and every later one. */
  abortAll(): void {
    this.closed = true;
    for (const controller of this.calls) controller.abort(shutdownError());
    this.calls.clear();
  }
}

/**
 * CallContext gives a grpc-js call what Connect handlers read: its headers, and a signal that
 * aborts at the deadline (DEADLINE_EXCEEDED), when the client cancels (CANCELLED) or when the
 * server shuts down. Each is made when first read: a call answered at once from the cache reads
 * none, and so costs no controller, listener or timer. grpc-js also reports "cancelled" when a
 * call ends normally; after {@link finish} that report is ignored, so a finished call costs no
 * abort. (A class, not an object literal with getters, as one is made for every call.)
 */
export class CallContext implements HandlerContext {
  readonly protocolName = "grpc";
  readonly requestMethod = "POST";
  private readonly deadlineMs: number;
  private finished = false;
  private controller: AbortController | undefined;
  private timer: NodeJS.Timeout | undefined;
  private headers: Headers | undefined;
  private responseHeaders: Headers | undefined;
  private responseTrailers: Headers | undefined;
  private trailerMetadata: grpc.Metadata | undefined;
  private headerSent = false;
  private contextValues: ContextValues | undefined;

  constructor(
    readonly service: DescService,
    readonly method: DescMethod,
    private readonly call: AnyCall,
    private readonly live: LiveCalls,
  ) {
    const deadline = call.getDeadline();
    this.deadlineMs = deadline instanceof Date ? deadline.getTime() : deadline;
  }

  get url(): string {
    return `/${this.service.typeName}/${this.method.name}`;
  }

  get signal(): AbortSignal {
    this.controller ??= this.watch();
    return this.controller.signal;
  }

  timeoutMs(): number | undefined {
    return Number.isFinite(this.deadlineMs) ? this.deadlineMs - Date.now() : undefined;
  }

  get requestHeader(): Headers {
    this.headers ??= headersOf(this.call.metadata);
    return this.headers;
  }

  /** header is one request header's value, without making all of them into Headers. */
  header(name: string): string | null {
    if (this.headers !== undefined) return this.headers.get(name);
    const [value] = this.call.metadata.get(name);
    return typeof value === "string" ? value : null;
  }

  /**
   * responseHeader is a handler's response header: a streaming method's is sent before its first
   * message (see sendHeader); a unary method's is not (see trailers).
   */
  get responseHeader(): Headers {
    this.responseHeaders ??= new Headers();
    return this.responseHeaders;
  }

  get responseTrailer(): Headers {
    this.responseTrailers ??= new Headers();
    return this.responseTrailers;
  }

  /**
   * trailers is the response trailer the handler set, as gRPC metadata, if it set one: sent with
   * the status, at no cost beyond its bytes, where a unary response's headers would cost a HEADERS
   * frame of their own (so unary handlers put what they say in the trailer).
   */
  trailers(): grpc.Metadata | undefined {
    if (this.responseTrailers === undefined) return this.trailerMetadata;
    const set = this.trailerMetadata;
    const metadata = set instanceof OneTrailer ? set.toMetadata() : (set ?? new Metadata());
    for (const [key, value] of this.responseTrailers) metadata.set(key, value);
    return metadata;
  }

  /**
   * sendHeader sends the response header the handler set, if it set one and it was not sent yet:
   * before a stream's first message, or at its end when it has none (grpc-js would otherwise send
   * the status alone, "trailers-only", which clients read as headers).
   */
  sendHeader(): void {
    if (this.responseHeaders === undefined || this.headerSent) return;
    this.headerSent = true;
    const metadata = new Metadata();
    for (const [key, value] of this.responseHeaders) metadata.set(key, value);
    this.call.sendMetadata(metadata);
  }

  /**
   * setTrailer sets a response trailer without a Headers object, whose checks cost a hot call
   * more: while it is the only one, as a {@link OneTrailer}.
   */
  setTrailer(name: string, value: string): void {
    const set = this.trailerMetadata;
    if (set === undefined || (set instanceof OneTrailer && set.name === name)) {
      this.trailerMetadata = new OneTrailer(name, value).asMetadata();
      return;
    }
    this.trailerMetadata = set instanceof OneTrailer ? set.toMetadata() : set;
    this.trailerMetadata.set(name, value);
  }

  get values(): ContextValues {
    this.contextValues ??= createContextValues();
    return this.contextValues;
  }

  /** finish stops the deadline timer and ignores what grpc-js reports about the call afterwards. */
  finish(): void {
    this.finished = true;
    if (this.controller === undefined) return;
    clearTimeout(this.timer);
    this.live.delete(this.controller);
  }

  /** watch makes the call's signal: from now on, the deadline, a cancel and a shutdown abort it. */
  private watch(): AbortController {
    const controller = new AbortController();
    if (Number.isFinite(this.deadlineMs)) {
      this.timer = setTimeout(
        () =>
          controller.abort(new ConnectError("the call's deadline passed", Code.DeadlineExceeded)),
        Math.max(this.deadlineMs - Date.now(), 0),
      );
    }
    const cancel = () =>
      controller.abort(new ConnectError("the client cancelled the call", Code.Canceled));
    if (this.call.cancelled) cancel();
    else {
      this.call.once("cancelled", () => {
        if (!this.finished) cancel();
      });
    }
    this.live.add(controller);
    return controller;
  }
}

/**
 * requestHeaderValue is a request header of any call: from a gRPC call's metadata directly (a hot
 * check reads one header; making them all into Headers would cost it more than the rest).
 */
export function requestHeaderValue(context: HandlerContext, name: string): string | null {
  return context instanceof CallContext ? context.header(name) : context.requestHeader.get(name);
}

function headersOf(metadata: grpc.Metadata): Headers {
  const headers = new Headers();
  for (const [key, value] of Object.entries(metadata.getMap())) {
    if (typeof value === "string") headers.set(key, value);
  }
  return headers;
}

/**
 * shutdownError is the status of a call the server ends because it is stopping: UNAVAILABLE, so
 * that clients retry elsewhere or resume a stream (Watch) from its last token.
 */
export function shutdownError(): ConnectError {
  return new ConnectError("the server is shutting down", Code.Unavailable);
}
