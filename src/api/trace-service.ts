// Wraps a service implementation with a server span per call, continuing the caller's W3C trace.

import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import {
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  trace,
} from "@opentelemetry/api";
import { sampledCallContext, samplesCall } from "../telemetry/call-sampling.js";
import { callSampling, tracer } from "../telemetry/tracing.js";
import type { AnyHandler } from "./grpc-adapter.js";
import { requestHeaderValue } from "./grpc-call-context.js";
import { wrapMethods } from "./wrap-methods.js";

/** The request headers a propagator reads (`traceparent`, `tracestate`), one at a time. */
const HEADERS: TextMapGetter<HandlerContext> = {
  get: (call, key) => requestHeaderValue(call, key) ?? undefined,
  keys: (call) => [...call.requestHeader.keys()],
};

/**
 * Statuses that are the server's fault, for which a server span's status is an error (as
 * OpenTelemetry's RPC conventions say); the others are the caller's.
 */
const SERVER_FAULTS = new Set<Code>([
  Code.Unknown,
  Code.DeadlineExceeded,
  Code.Unimplemented,
  Code.Internal,
  Code.Unavailable,
  Code.DataLoss,
]);

/**
 * traceService returns impl with a server span around each call, named `package.Service/Method`
 * and the child of the caller's `traceparent` (gRPC metadata or HTTP header) when it sent one.
 * Each call is decided first, from its traceparent alone (see samplesCall): an unsampled call
 * runs as it would untraced, with no id drawn, no span made and none active, so that nothing
 * beneath it makes a span or an attribute (its decision record still takes the caller's trace id
 * from the header). Put it outside guardService, whose errors are statuses already.
 */
export function traceService<S extends DescService>(
  service: S,
  impl: ServiceImpl<S>,
): ServiceImpl<S> {
  return wrapMethods(service, impl, wrap);
}

/** SERVER_SPAN are the options of every server span, made once. */
const SERVER_SPAN = Object.freeze({ kind: SpanKind.SERVER });

function wrap(method: DescMethod, handler: AnyHandler): AnyHandler {
  const streaming = method.methodKind === "server_streaming";
  return traceMethod(method.parent.typeName, method.name, streaming, handler);
}

/**
 * traceMethod wraps one method's handler as {@link traceService} does every method of a service:
 * service is the package-qualified service name, and a streaming handler is one that answers
 * with a stream (server streaming).
 */
export function traceMethod(
  service: string,
  methodName: string,
  streaming: boolean,
  handler: AnyHandler,
): AnyHandler {
  const name = `${service}/${methodName}`;
  // Taken once: the SDK is started before any service is wrapped.
  const spans = tracer();
  const sampling = callSampling();
  /** start is the call's server span if it is sampled, else undefined. */
  const start = (call: HandlerContext): Span | undefined => {
    if (sampling === undefined) {
      const span = spans.startSpan(
        name,
        SERVER_SPAN,
        propagation.extract(ROOT_CONTEXT, call, HEADERS),
      );
      return span.isRecording() ? span : undefined;
    }
    if (!samplesCall(sampling, requestHeaderValue(call, "traceparent"))) return undefined;
    const parent = propagation.extract(ROOT_CONTEXT, call, HEADERS);
    return spans.startSpan(name, SERVER_SPAN, sampledCallContext(parent));
  };
  const describe = (span: Span, call: HandlerContext) =>
    span.setAttributes({
      "rpc.system": call.protocolName === "grpc" ? "grpc" : "connect_rpc",
      "rpc.service": service,
      "rpc.method": methodName,
      "rpc.connect_rpc.protocol": call.protocolName,
    });
  if (streaming) {
    return async function* (input, call) {
      const span = start(call);
      if (span === undefined) {
        yield* handler(input, call) as AsyncIterable<unknown>;
        return;
      }
      describe(span, call);
      const active = trace.setSpan(ROOT_CONTEXT, span);
      const stream = context.with(active, () =>
        (handler(input, call) as AsyncIterable<unknown>)[Symbol.asyncIterator](),
      );
      let ended = false;
      try {
        for (;;) {
          const next = await context.with(active, () => stream.next());
          if (next.done) break;
          yield next.value;
        }
        ended = true;
        end(span);
      } catch (error) {
        ended = true;
        end(span, error);
        throw error;
      } finally {
        // The client went away: the stream was returned early.
        if (!ended) {
          await stream.return?.();
          end(span, new ConnectError("the client cancelled the call", Code.Canceled));
        }
      }
    };
  }
  return (input, call) => {
    const span = start(call);
    if (span === undefined) return handler(input, call);
    describe(span, call);
    const active = trace.setSpan(ROOT_CONTEXT, span);
    let answer: unknown;
    try {
      answer = context.with(active, handler, undefined, input, call);
    } catch (error) {
      end(span, error);
      throw error;
    }
    if (!(answer instanceof Promise)) {
      end(span);
      return answer;
    }
    return answer.then(
      (value: unknown) => {
        end(span);
        return value;
      },
      (error: unknown) => {
        end(span, error);
        throw error;
      },
    );
  };
}

/** end ends a server span with the call's status code, an error status when the fault is the server's. */
function end(span: Span, error?: unknown): void {
  if (error === undefined) {
    span.setAttribute("rpc.grpc.status_code", 0);
  } else {
    const status = ConnectError.from(error);
    span.setAttribute("rpc.grpc.status_code", status.code);
    if (SERVER_FAULTS.has(status.code)) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: status.rawMessage });
    }
  }
  span.end();
}
