// A service implementation with each of its methods' handlers wrapped: what interceptors share.

import type { DescMethod, DescService } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import type { AnyHandler } from "./grpc-adapter.js";

/**
 * wrapMethods returns impl with each method's handler replaced by wrap's, made once per method.
 * It throws when impl lacks a method of service.
 */
export function wrapMethods<S extends DescService>(
  service: S,
  impl: ServiceImpl<S>,
  wrap: (method: DescMethod, handler: AnyHandler) => AnyHandler,
): ServiceImpl<S> {
  const wrapped: Record<string, AnyHandler> = {};
  const handlers = impl as unknown as Record<string, AnyHandler>;
  for (const method of service.methods) {
    const handler = handlers[method.localName];
    if (handler === undefined) throw new Error(`${service.typeName} lacks ${method.name}`);
    wrapped[method.localName] = wrap(method, handler);
  }
  return wrapped as unknown as ServiceImpl<S>;
}
