// The context of one grpc-js call, as Connect handlers expect it, made cheaply for the hot path.

import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { Code, ConnectError, createContextValues, type HandlerContext } from "@connectrpc/connect";
import type * as grpc from "@grpc/grpc-js";

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

/** CallContext is a call's handler context and the function that marks the call finished. */
export interface CallContext {
  readonly context: HandlerContext;
  /** finish stops the deadline timer and ignores what grpc-js reports about the call afterwards. */
  finish(): void;
}

/**
 * callContext gives a grpc-js call what Connect handlers read: its headers (built only if read),
 * and a signal that aborts at the deadline (DEADLINE_EXCEEDED), when the client cancels
 * (CANCELLED) or when the server shuts down. grpc-js also reports "cancelled" when a call ends
 * normally; after finish that report is ignored, so a finished call costs no abort.
 */
export function callContext(
  service: DescService,
  method: DescMethod,
  call: AnyCall,
  live: LiveCalls,
): CallContext {
  const controller = new AbortController();
  let finished = false;
  let timer: NodeJS.Timeout | undefined;
  const deadline = call.getDeadline();
  const deadlineMs = deadline instanceof Date ? deadline.getTime() : deadline;
  if (Number.isFinite(deadlineMs)) {
    timer = setTimeout(
      () => controller.abort(new ConnectError("the call's deadline passed", Code.DeadlineExceeded)),
      Math.max(deadlineMs - Date.now(), 0),
    );
  }
  call.once("cancelled", () => {
    if (!finished)
      controller.abort(new ConnectError("the client cancelled the call", Code.Canceled));
  });
  live.add(controller);
  let requestHeader: Headers | undefined;
  let responseHeader: Headers | undefined;
  let responseTrailer: Headers | undefined;
  const context: HandlerContext = {
    service,
    method,
    protocolName: "grpc",
    requestMethod: "POST",
    url: `/${service.typeName}/${method.name}`,
    signal: controller.signal,
    timeoutMs: () => (Number.isFinite(deadlineMs) ? deadlineMs - Date.now() : undefined),
    get requestHeader() {
      requestHeader ??= headersOf(call.metadata);
      return requestHeader;
    },
    get responseHeader() {
      responseHeader ??= new Headers();
      return responseHeader;
    },
    get responseTrailer() {
      responseTrailer ??= new Headers();
      return responseTrailer;
    },
    values: createContextValues(),
  };
  return {
    context,
    finish() {
      finished = true;
      clearTimeout(timer);
      live.delete(controller);
    },
  };
}

function headersOf(metadata: grpc.Metadata): Headers {
  const headers = new Headers();
  for (const [key, value] of Object.entries(metadata.getMap())) {
    if (typeof value === "string") headers.set(key, value);
  }
  return headers;
}

function shutdownError(): ConnectError {
  return new ConnectError("the server is shutting down", Code.Unavailable);
}
