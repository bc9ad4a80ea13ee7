// Serves a Connect service implementation on @grpc/grpc-js, with protobuf-es codecs.

import { once } from "node:events";
import {
  create,
  type DescMethod,
  type DescService,
  fromBinary,
  toBinary,
} from "@bufbuild/protobuf";
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import type * as grpc from "@grpc/grpc-js";
import { toConnectError } from "./api-error.js";
import { type CallContext, callContext, type LiveCalls } from "./grpc-call-context.js";

type AnyHandler = (input: unknown, context: HandlerContext) => unknown;

/**
 * addConnectService registers impl on a grpc-js server: one definition per method, encoded and
 * decoded with the generated protobuf-es schemas (the hot path pays for no other codec), each
 * call handed a Connect HandlerContext with its headers, deadline and cancellation.
 */
export function addConnectService<S extends DescService>(
  server: grpc.Server,
  service: S,
  impl: ServiceImpl<S>,
  live: LiveCalls,
): void {
  const definition: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  const handlers: grpc.UntypedServiceImplementation = {};
  const methods = impl as unknown as Record<string, AnyHandler>;
  for (const method of service.methods) {
    const handler = methods[method.localName];
    if (handler === undefined) throw new Error(`${service.typeName} lacks ${method.name}`);
    definition[method.localName] = methodDefinition(service, method);
    handlers[method.localName] = grpcHandler(service, method, handler, live);
  }
  server.addService(definition, handlers);
}

function methodDefinition(
  service: DescService,
  method: DescMethod,
): grpc.MethodDefinition<unknown, unknown> {
  return {
    path: `/${service.typeName}/${method.name}`,
    requestStream:
      method.methodKind === "client_streaming" || method.methodKind === "bidi_streaming",
    responseStream:
      method.methodKind === "server_streaming" || method.methodKind === "bidi_streaming",
    requestSerialize: (message) => Buffer.from(toBinary(method.input, message as never)),
    requestDeserialize: (bytes) => fromBinary(method.input, bytes),
    responseSerialize: (message) => Buffer.from(toBinary(method.output, message as never)),
    responseDeserialize: (bytes) => fromBinary(method.output, bytes),
    originalName: method.localName,
  };
}

function grpcHandler(
  service: DescService,
  method: DescMethod,
  handler: AnyHandler,
  live: LiveCalls,
): grpc.UntypedHandleCall {
  const output = (init: unknown) => create(method.output, init as never);
  switch (method.methodKind) {
    case "unary":
      return (
        call: grpc.ServerUnaryCall<unknown, unknown>,
        callback: grpc.sendUnaryData<unknown>,
      ) => {
        const active = callContext(service, method, call, live);
        answerOnce(() => handler(call.request, active.context), active, output, callback);
      };
    case "server_streaming":
      return (call: grpc.ServerWritableStream<unknown, unknown>) => {
        const { context, finish } = callContext(service, method, call, live);
        (async () => {
          for await (const init of handler(call.request, context) as AsyncIterable<unknown>) {
            if (!call.write(output(init))) await once(call, "drain", { signal: context.signal });
          }
          finish();
          call.end();
        })().catch((error: unknown) => {
          const status = grpcStatus(error, context);
          finish();
          call.emit("error", status);
        });
      };
    case "client_streaming":
      return (
        call: grpc.ServerReadableStream<unknown, unknown>,
        callback: grpc.sendUnaryData<unknown>,
      ) => {
        const active = callContext(service, method, call, live);
        const requests = completeRequests(call, active.context.signal);
        answerOnce(() => handler(requests, active.context), active, output, callback);
      };
    default:
      throw new Error(`${method.name}: bidirectional streaming is not served`);
  }
}

/** answerOnce runs a call's work and sends its single response, or its status. */
function answerOnce(
  work: () => unknown,
  { context, finish }: CallContext,
  output: (init: unknown) => unknown,
  callback: grpc.sendUnaryData<unknown>,
): void {
  Promise.resolve()
    .then(work)
    .then(
      (init) => {
        finish();
        callback(null, output(init));
      },
      (error: unknown) => {
        const status = grpcStatus(error, context);
        finish();
        callback(status);
      },
    );
}

/**
 * How long the end of a client stream waits for grpc-js to report a cancellation: on a reset
 * stream, Node ends the request's input first and grpc-js reports the cancel only after (about
 * 20 ms later, measured), so without this wait a cancelled import would look complete.
 */
const CANCEL_REPORT_GRACE_MS = 100;

/**
 * completeRequests yields a client stream's messages and then throws if the client cancelled:
 * grpc-js ends a cancelled call's input without an error, which must not pass for the client's
 * end of input (an import would commit half of it).
 */
async function* completeRequests(
  call: grpc.ServerReadableStream<unknown, unknown>,
  signal: AbortSignal,
): AsyncGenerator<unknown> {
  for await (const message of call) yield message;
  if (!call.cancelled && !signal.aborted) {
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        call.off("cancelled", done);
        resolve();
      };
      const timer = setTimeout(done, CANCEL_REPORT_GRACE_MS);
      call.once("cancelled", done);
    });
  }
  if (call.cancelled || signal.aborted) {
    throw new ConnectError("the client cancelled the call before its end of input", Code.Canceled);
  }
}

function grpcStatus(error: unknown, context: HandlerContext): Partial<grpc.StatusObject> {
  const status = toConnectError(error, context.signal);
  return { code: status.code as number as grpc.status, details: status.rawMessage };
}
