// A client of a service's unary methods that calls the server's own implementation in this process, with no transport between.

import {
  create,
  type DescMethodUnary,
  type DescService,
  type MessageInitShape,
  type MessageShape,
} from "@bufbuild/protobuf";
import { createHandlerContext, type ServiceImpl } from "@connectrpc/connect";
import type { AnyHandler } from "./grpc-adapter.js";

/** The protocol name an in-process call's context carries (a trace's span names it). */
const IN_PROCESS = "in-process";

/** InProcessClient is a client of the unary methods of service S, each a function of the request. */
export type InProcessClient<S extends DescService> = {
  [M in keyof S["method"] as S["method"][M] extends DescMethodUnary
    ? M
    : never]: S["method"][M] extends DescMethodUnary<infer I, infer O>
    ? (request: MessageInitShape<I>) => Promise<MessageShape<O>>
    : never;
};

/**
 * createInProcessClient is a client of service's unary methods that calls impl (the server's
 * guarded, traced implementation: keys, scopes, validation, cache and decision log as for a call
 * from the network) with a context holding requestHeader, such as the `authorization` a remote
 * caller would send. It saves the caller what a transport costs: encoding, a connection's round
 * trip, decoding. Errors are the ConnectErrors a remote caller would receive.
 */
export function createInProcessClient<S extends DescService>(
  service: S,
  impl: ServiceImpl<S>,
  requestHeader: Readonly<Record<string, string>>,
): InProcessClient<S> {
  const client: Record<string, (request: unknown) => Promise<unknown>> = {};
  const handlers = impl as unknown as Record<string, AnyHandler>;
  for (const method of service.methods) {
    if (method.methodKind !== "unary") continue;
    const handler = handlers[method.localName];
    if (handler === undefined) throw new Error(`${service.typeName} lacks ${method.name}`);
    const url = `/${service.typeName}/${method.name}`;
    client[method.localName] = async (request) => {
      const context = createHandlerContext({
        service,
        method,
        protocolName: IN_PROCESS,
        requestMethod: "POST",
        url,
        requestHeader,
      });
      // A handler may answer with a message's init: made a message, as a decoder would.
      const answer = await handler(create(method.input, request as never), context);
      return create(method.output, answer as never);
    };
  }
  return client as InProcessClient<S>;
}
