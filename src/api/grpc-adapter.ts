// Serves a Connect service implementation on @grpc/grpc-js, with protobuf-es codecs.

import { once } from "node:events";
import {
  create,
  type DescMessage,
  type DescMethod,
  type DescService,
  fromBinary,
  toBinary,
} from "@bufbuild/protobuf";
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import type * as grpc from "@grpc/grpc-js";
import { Metadata } from "@grpc/grpc-js";
import { toConnectError } from "./api-error.js";
import { decodeRequest } from "./decode-request.js";
import { CallContext, type LiveCalls } from "./grpc-call-context.js";
import { RequestError } from "./request-error.js";
import { encodeShared } from "./shared-response.js";

/** AnyHandler is a method's implementation: a Connect handler, of any message types. */
export type AnyHandler = (input: unknown, context: HandlerContext) => unknown;

/**
 * GrpcMethod is one method as the grpc-js server runs it: its definition (path, streaming,
 * codecs), how an answer becomes the response message, the Latch method whose context its calls
 * get (a Connect HandlerContext names a protobuf-es method), and its handler.
 */
export interface GrpcMethod {
  readonly definition: grpc.MethodDefinition<unknown, unknown>;
  readonly output: (init: unknown) => unknown;
  readonly contextMethod: DescMethod;
  readonly handler: AnyHandler;
}

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
  const methods: Record<string, GrpcMethod> = {};
  const handlers = impl as unknown as Record<string, AnyHandler>;
  for (const method of service.methods) {
    const handler = handlers[method.localName];
    if (handler === undefined) throw new Error(`${service.typeName} lacks ${method.name}`);
    methods[method.localName] = {
      definition: methodDefinition(service, method),
      output: (init) => create(method.output, init as never),
      contextMethod: method,
      handler,
    };
  }
  addGrpcMethods(server, methods, live);
}

/**
 * addGrpcMethods registers one service's methods, keyed by their local names, on a grpc-js
 * server: a request that could not be decoded (its deserializer returned a RequestError) is
 * answered INVALID_ARGUMENT, every other call runs its handler with a CallContext.
 */
export function addGrpcMethods(
  server: grpc.Server,
  methods: Readonly<Record<string, GrpcMethod>>,
  live: LiveCalls,
): void {
  const definition: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  const handlers: grpc.UntypedServiceImplementation = {};
  for (const [name, method] of Object.entries(methods)) {
    definition[name] = method.definition;
    handlers[name] = grpcHandler(method, live);
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
    requestDeserialize: (bytes) => decodeOrRefusal(method.input, bytes),
    responseSerialize: (message) =>
      encodeOnce(message, (m) => Buffer.from(toBinary(method.output, m as never))),
    responseDeserialize: (bytes) => fromBinary(method.output, bytes),
    originalName: method.localName,
  };
}

/**
 * decodeOrRefusal decodes a request message, or returns the RequestError saying why it cannot be
 * decoded: grpc-js answers a deserializer that throws with INTERNAL, so the refusal travels in
 * the message's place and the handler answers it, INVALID_ARGUMENT.
 */
function decodeOrRefusal(schema: DescMessage, bytes: Buffer): unknown {
  try {
    return decodeRequest(schema, bytes);
  } catch (error) {
    return error;
  }
}

/** The encodings of frozen response messages, which may answer many calls (see encodeOnce). */
const encodings = new WeakMap<object, Buffer>();

/**
 * encodeOnce encodes a response message with encode; a frozen one (a cached check's answer,
 * shared by every call it answers) is encoded once, and one made from it with a call's own field
 * (see withOwnString) is its encoding and that field's. grpc-js copies the bytes into its frame,
 * never keeps or changes them.
 */
export function encodeOnce(message: unknown, encode: (message: unknown) => Buffer): Buffer {
  const shared = encodeShared(message, (part) => encodeOnce(part, encode));
  if (shared !== undefined) return shared;
  const frozen = Object.isFrozen(message);
  const known = frozen ? encodings.get(message as object) : undefined;
  if (known !== undefined) return known;
  const encoded = encode(message);
  if (frozen) encodings.set(message as object, encoded);
  return encoded;
}

function grpcHandler(method: GrpcMethod, live: LiveCalls): grpc.UntypedHandleCall {
  const { definition, output, contextMethod, handler } = method;
  const service = contextMethod.parent;
  const kind = definition.requestStream
    ? definition.responseStream
      ? "bidi_streaming"
      : "client_streaming"
    : definition.responseStream
      ? "server_streaming"
      : "unary";
  const newContext = (call: ConstructorParameters<typeof CallContext>[2]) =>
    new CallContext(service, contextMethod, call, live);
  switch (kind) {
    case "unary":
      return (
        call: grpc.ServerUnaryCall<unknown, unknown>,
        callback: grpc.sendUnaryData<unknown>,
      ) => {
        const context = newContext(call);
        if (call.request instanceof RequestError) fail(call.request, context, callback);
        else answerOnce(handler, call.request, context, output, callback);
      };
    case "server_streaming":
      return (call: grpc.ServerWritableStream<unknown, unknown>) => {
        const context = newContext(call);
        (async () => {
          if (call.request instanceof RequestError) throw call.request;
          for await (const init of handler(call.request, context) as AsyncIterable<unknown>) {
            context.sendHeader();
            if (!call.write(output(init))) await once(call, "drain", { signal: context.signal });
          }
          context.sendHeader();
          context.finish();
          call.end(context.trailers());
        })().catch((error: unknown) => {
          const status = grpcStatus(error, context);
          context.finish();
          call.emit("error", status);
        });
      };
    case "client_streaming":
      return (
        call: grpc.ServerReadableStream<unknown, unknown>,
        callback: grpc.sendUnaryData<unknown>,
      ) => {
        const context = newContext(call);
        answerOnce(handler, completeRequests(call, context.signal), context, output, callback);
      };
    default:
      throw new Error(`${definition.path}: bidirectional streaming is not served`);
  }
}

/**
 * answerOnce runs handler and sends its single response, or its status: at once when it answers
 * at once (a cached check), else when its promise settles.
 */
function answerOnce(
  handler: AnyHandler,
  input: unknown,
  context: CallContext,
  output: (init: unknown) => unknown,
  callback: grpc.sendUnaryData<unknown>,
): void {
  let init: unknown;
  try {
    init = handler(input, context);
  } catch (error) {
    fail(error, context, callback);
    return;
  }
  if (init instanceof Promise) {
    init.then(
      (value: unknown) => answer(value, context, output, callback),
      (error: unknown) => fail(error, context, callback),
    );
  } else {
    answer(init, context, output, callback);
  }
}

function answer(
  init: unknown,
  context: CallContext,
  output: (init: unknown) => unknown,
  callback: grpc.sendUnaryData<unknown>,
): void {
  let message: unknown;
  try {
    message = output(init);
  } catch (error) {
    fail(error, context, callback);
    return;
  }
  context.finish();
  callback(null, message, context.trailers());
}

function fail(error: unknown, context: CallContext, callback: grpc.sendUnaryData<unknown>): void {
  const status = grpcStatus(error, context);
  context.finish();
  callback(status);
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
 * end of input (an import would commit half of it). A message that could not be decoded throws
 * its RequestError where it comes.
 */
async function* completeRequests(
  call: grpc.ServerReadableStream<unknown, unknown>,
  signal: AbortSignal,
): AsyncGenerator<unknown> {
  for await (const message of call) {
    if (message instanceof RequestError) throw message;
    yield message;
  }
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

/**
 * grpcStatus is the status a failed call ends with: its code and message, and the binary
 * metadata (`-bin`, base64 in the ConnectError's) that carries error details, as
 * `grpc-status-details-bin` does for the clients that read it.
 */
function grpcStatus(error: unknown, context: HandlerContext): Partial<grpc.StatusObject> {
  const status = toConnectError(error, context.signal);
  const code = status.code as number as grpc.status;
  let metadata: grpc.Metadata | undefined;
  for (const [key, value] of status.metadata) {
    if (!key.endsWith("-bin")) continue;
    metadata ??= new Metadata();
    metadata.set(key, Buffer.from(value, "base64"));
  }
  return metadata === undefined
    ? { code, details: status.rawMessage }
    : { code, details: status.rawMessage, metadata };
}
