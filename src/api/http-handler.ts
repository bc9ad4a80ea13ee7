// The HTTP port's request handler: every service over Connect and gRPC-Web, bodies checked, refusals that say what to send.

import type { IncomingMessage, ServerResponse } from "node:http";
import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { Code, ConnectError, createConnectRouter, type ServiceImpl } from "@connectrpc/connect";
import type {
  Compression,
  UniversalHandler,
  UniversalServerRequest,
  UniversalServerResponse,
} from "@connectrpc/connect/protocol";
import {
  compressionBrotli,
  compressionGzip,
  universalRequestFromNodeRequest,
  universalResponseToNodeResponse,
} from "@connectrpc/connect-node";
import { withCheckedBody } from "./http-body-check.js";

/** The compressions a request may use, as connect-node accepts by default. */
const COMPRESSIONS: Compression[] = [compressionGzip, compressionBrotli];

/** HttpHandlerOptions configure {@link createHttpHandler}. */
export interface HttpHandlerOptions {
  readonly services: readonly (readonly [DescService, ServiceImpl<DescService>])[];
  /**
   * The services (by type name) whose JSON requests may not hold a field their message lacks.
   * Connect ignores unknown fields by default; for a query, a misspelt filter would then match
   * everything, silently.
   */
  readonly strictJson?: ReadonlySet<string>;
  /** The largest request message, in bytes (RESOURCE_EXHAUSTED past it). */
  readonly readMaxBytes: number;
  /** Aborts every call's signal: the server is stopping. */
  readonly shutdownSignal: AbortSignal;
  /** Answers the requests for no method (the probes, and anything else). */
  readonly fallback: (request: IncomingMessage, response: ServerResponse) => void;
  /** Called when a response could not be sent for a reason other than the client leaving. */
  readonly onError: (method: string, error: unknown) => void;
}

/**
 * createHttpHandler serves the services as connect-node does (Connect, gRPC-Web), with two
 * changes at the edge: a protobuf message that does not decode is answered INVALID_ARGUMENT
 * naming it (connect-node says INTERNAL, which means a fault of Latch's), and a request in a
 * content type the method does not take is answered 415 with a body that says what to send
 * (connect-node sends none), for a streaming method the Connect streaming framing.
 */
export function createHttpHandler(
  options: HttpHandlerOptions,
): (request: IncomingMessage, response: ServerResponse) => void {
  const router = createConnectRouter({
    acceptCompression: COMPRESSIONS,
    readMaxBytes: options.readMaxBytes,
    shutdownSignal: options.shutdownSignal,
  });
  for (const [service, impl] of options.services) {
    const strict = options.strictJson?.has(service.typeName) ?? false;
    router.service(service, impl, strict ? { jsonOptions: { ignoreUnknownFields: false } } : {});
  }
  const handlers = new Map(
    router.handlers.map((handler) => [handler.requestPath, checked(handler, options.readMaxBytes)]),
  );
  return (request, response) => {
    const handler = handlers.get((request.url ?? "").split("?", 1)[0] ?? "");
    if (handler === undefined) {
      options.fallback(request, response);
      return;
    }
    handler(universalRequestFromNodeRequest(request, response, undefined, undefined))
      .then((answer) => universalResponseToNodeResponse(answer, response))
      .catch((reason: unknown) => {
        if (ConnectError.from(reason).code === Code.Aborted) return;
        options.onError(handler.requestPath, reason);
      });
  };
}

/** checked is handler with its request body checked and its 415 answers explained. */
function checked(handler: UniversalHandler, readMaxBytes: number): UniversalHandler {
  const { method } = handler;
  const serve = async (request: UniversalServerRequest): Promise<UniversalServerResponse> => {
    const answer = await handler(
      withCheckedBody(request, method.input, COMPRESSIONS, readMaxBytes),
    );
    return answer.status === UNSUPPORTED_MEDIA_TYPE ? unsupportedMediaType(method) : answer;
  };
  const { service, requestPath, protocolNames, allowedMethods, supportedContentType } = handler;
  return Object.assign(serve, {
    service,
    method,
    requestPath,
    protocolNames,
    allowedMethods,
    supportedContentType,
  });
}

const UNSUPPORTED_MEDIA_TYPE = 415;

/**
 * unsupportedMediaType is the 415 for a request to method in a content type it does not take:
 * a Connect error body saying which content types it takes and, for a streaming method, how
 * Connect frames its messages.
 */
function unsupportedMediaType(method: DescMethod): UniversalServerResponse {
  const path = `${method.parent.typeName}/${method.name}`;
  const message =
    method.methodKind === "unary"
      ? `${path} is a unary method: send content-type application/json (or application/proto), the request message as the body`
      : `${path} is a ${method.methodKind.replace("_", "-")} method: over HTTP, send content-type application/connect+json (or application/connect+proto) and each request message in an envelope: a flags byte 0, the message's length in bytes as 4 bytes big-endian, then the message; responses come in the same envelopes, and the last one, flags byte 2, holds {} or {"error":{...}}`;
  const accepted =
    method.methodKind === "unary"
      ? "application/json, application/proto"
      : "application/connect+json, application/connect+proto";
  const body = new TextEncoder().encode(JSON.stringify({ code: "invalid_argument", message }));
  return {
    status: UNSUPPORTED_MEDIA_TYPE,
    header: new Headers({ "content-type": "application/json", "accept-post": accepted }),
    body: (async function* () {
      yield body;
    })(),
  };
}
