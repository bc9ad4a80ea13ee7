// Wraps a service implementation with what every call needs: authentication, scopes, errors, deadlines.

import type { DescService } from "@bufbuild/protobuf";
import {
  Code,
  ConnectError,
  createContextKey,
  type HandlerContext,
  type ServiceImpl,
} from "@connectrpc/connect";
import { StoreUnavailableError } from "../store/store.js";
import type { RpcTimer } from "../telemetry/metrics.js";
import { toConnectError } from "./api-error.js";
import type { ApiKeyRing, Principal } from "./api-keys.js";
import type { AnyHandler } from "./grpc-adapter.js";
import { METHOD_SCOPES } from "./method-scopes.js";
import { wrapMethods } from "./wrap-methods.js";

/** GuardOptions configure {@link guardService}. */
export interface GuardOptions {
  readonly keys: ApiKeyRing;
  /** Called with each fault of Latch's (a status INTERNAL), for the log. */
  readonly onInternalError: (method: string, error: unknown) => void;
  /**
   * Called with each call's failure to reach the database (a status UNAVAILABLE): the server's
   * readiness hears of an outage from the first call that meets it.
   */
  readonly onStoreUnavailable: (error: StoreUnavailableError) => void;
  /** rpcTimer gives the recorder of a method's calls (`package.Service/Method`), taken once per method. */
  readonly rpcTimer: (method: string) => RpcTimer;
}

/**
 * PRINCIPAL is the key a call authenticated with, in its context's values (`context.values.get`):
 * undefined in development mode. The decision log records its name.
 */
export const PRINCIPAL = createContextKey<Principal | undefined>(undefined, {
  description: "the API key a call authenticated with",
});

/**
 * guardService returns impl with every method authenticated (a bearer key with the method's
 * scope, unless no key is configured), its errors mapped to statuses that name the cause, and
 * unary calls that wait answered DEADLINE_EXCEEDED or CANCELLED as soon as the deadline passes
 * or the client goes away (the signal in the context tells the work to stop), and each call timed
 * by its status code. A unary answer given at once is returned as it is, not as a promise.
 */
export function guardService<S extends DescService>(
  service: S,
  impl: ServiceImpl<S>,
  options: GuardOptions,
): ServiceImpl<S> {
  return wrapMethods(service, impl, (method, handler) =>
    guardMethod(
      `${method.parent.typeName}/${method.name}`,
      method.methodKind === "server_streaming",
      handler,
      options,
    ),
  );
}

/**
 * guardMethod wraps one method's handler as {@link guardService} does every method of a service:
 * path is `package.Service/Method` (its scope in METHOD_SCOPES, its metrics), and a streaming
 * handler is one that answers with a stream (server streaming).
 */
export function guardMethod(
  path: string,
  streaming: boolean,
  handler: AnyHandler,
  options: GuardOptions,
): AnyHandler {
  const timed = options.rpcTimer(path);
  const fail = (error: unknown, context: HandlerContext, started: number): ConnectError => {
    const status = toConnectError(error, context.signal);
    if (status.code === Code.Internal) options.onInternalError(path, error);
    if (error instanceof StoreUnavailableError) options.onStoreUnavailable(error);
    timed(status.code, started);
    return status;
  };
  if (streaming) {
    return async function* (input, context) {
      const started = performance.now();
      let ended = false;
      try {
        remember(context, authorize(path, context, options.keys));
        yield* handler(input, context) as AsyncIterable<unknown>;
        ended = true;
        timed(0, started);
      } catch (error) {
        ended = true;
        throw fail(error, context, started);
      } finally {
        // The client went away: the stream was returned early, without an end or an error.
        if (!ended) timed(Code.Canceled, started);
      }
    };
  }
  return (input, context) => {
    const started = performance.now();
    let answer: unknown;
    try {
      remember(context, authorize(path, context, options.keys));
      answer = handler(input, context);
    } catch (error) {
      throw fail(error, context, started);
    }
    // An answer given at once (a cached check) skips the race with the deadline: nothing to wait for.
    if (!(answer instanceof Promise)) {
      timed(0, started);
      return answer;
    }
    return untilAborted(answer, context.signal).then(
      (value) => {
        timed(0, started);
        return value;
      },
      (error: unknown) => {
        throw fail(error, context, started);
      },
    );
  };
}

/** remember keeps principal in the call's context values, for the methods that record who called. */
function remember(context: HandlerContext, principal: Principal | undefined): void {
  if (principal !== undefined) context.values.set(PRINCIPAL, principal);
}

/** untilAborted settles with work, or rejects as soon as signal aborts. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/**
 * The `authorization` value: `Bearer` (any case), whitespace, the key. Whitespace around the value
 * is no part of it on either port: HTTP/1.1 removes it, and HTTP/2 (gRPC) forbids it, so Node
 * drops such a header before Latch sees it.
 */
const BEARER = /^Bearer[ \t]+(\S+)$/i;

/**
 * authorize checks the call's `authorization: Bearer KEY` against the key ring and the method's
 * scope; with no key configured (development mode) every call passes.
 */
function authorize(path: string, context: HandlerContext, keys: ApiKeyRing): Principal | undefined {
  if (keys.isEmpty) return undefined;
  const header = context.requestHeader.get("authorization");
  if (header === null) {
    throw new ConnectError(
      "missing API key: send the header `authorization: Bearer <key>`; over gRPC, HTTP/2 drops it if its value starts or ends with whitespace",
      Code.Unauthenticated,
    );
  }
  const key = bearerKey(header);
  if (key === undefined) {
    throw new ConnectError(
      "malformed authorization header: expected `Bearer <key>`",
      Code.Unauthenticated,
    );
  }
  const principal = keys.authenticate(key);
  if (principal === undefined) throw new ConnectError("unknown API key", Code.Unauthenticated);
  const scope = METHOD_SCOPES[path] ?? "admin";
  if (scope !== "any" && !principal.scopes.has(scope) && !principal.scopes.has("admin")) {
    throw new ConnectError(
      `API key ${principal.keyName} lacks the scope '${scope}' that ${path} needs`,
      Code.PermissionDenied,
    );
  }
  return principal;
}

/**
 * bearerKey is the key an `authorization: Bearer KEY` header sends, or undefined without one or
 * with one that is not of that form ({@link BEARER}).
 */
export function bearerKey(header: string | null | undefined): string | undefined {
  if (header === null || header === undefined) return undefined;
  return BEARER.exec(header)?.[1];
}
