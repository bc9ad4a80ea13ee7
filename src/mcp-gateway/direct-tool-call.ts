// A client's tools/call on an established session, answered by the gateway itself rather than through the SDK server's transport and validation.

import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import { isJsonContentType } from "@modelcontextprotocol/sdk/shared/mediaType.js";
import {
  ErrorCode,
  RELATED_TASK_META_KEY,
  SUPPORTED_PROTOCOL_VERSIONS,
} from "@modelcontextprotocol/sdk/types.js";
import type { ProxySession, ToolCallParams } from "./proxy-session.js";

/** RequestId is a JSON-RPC request's id. */
export type RequestId = string | number;

/** DirectCall is a tools/call the gateway answers itself: its id and its params. */
export interface DirectCall {
  readonly id: RequestId;
  readonly params: ToolCallParams;
}

const MESSAGE_KEYS = new Set(["jsonrpc", "id", "method", "params"]);
const PARAMS_KEYS = new Set(["name", "arguments", "_meta"]);

/**
 * directCall is body as a call the gateway answers itself, or undefined for anything else, which
 * the SDK server then handles (and refuses, when it should, with its own errors). It is a single
 * tools/call the SDK would accept as it stands — headers it takes (accepting JSON and event
 * streams, a JSON body, a protocol version it supports), a JSON-RPC request with nothing more,
 * params of a name, object arguments and `_meta` — that asks neither for progress nor a task.
 */
export function directCall(headers: IncomingHttpHeaders, body: unknown): DirectCall | undefined {
  const accept = headers.accept ?? "";
  if (!accept.includes("application/json") || !accept.includes("text/event-stream")) return;
  if (!isJsonContentType(headers["content-type"])) return;
  const version = headers["mcp-protocol-version"];
  if (version !== undefined && !SUPPORTED_PROTOCOL_VERSIONS.includes(String(version))) return;
  if (!isObject(body) || body.method !== "tools/call" || body.jsonrpc !== "2.0") return;
  const { id, params } = body;
  if (typeof id !== "string" && !Number.isSafeInteger(id)) return;
  if (!isObject(params) || typeof params.name !== "string") return;
  if (params.arguments !== undefined && !isObject(params.arguments)) return;
  const meta = params._meta;
  if (meta !== undefined) {
    if (!isObject(meta) || meta.progressToken !== undefined) return;
    if (meta[RELATED_TASK_META_KEY] !== undefined) return;
  }
  if (!onlyKeys(body, MESSAGE_KEYS) || !onlyKeys(params, PARAMS_KEYS)) return;
  return { id: id as RequestId, params: params as ToolCallParams };
}

/**
 * answerCall runs call in session and writes its answer as one JSON body, as the SDK's transport
 * in JSON mode would: the result or error (the server's, unchanged, or the gateway's), with the
 * session's id. An error thrown is answered as the SDK server answers one: its code (else
 * InternalError), its message and its data. A call cancelled is answered with why, so that its
 * connection is not held for an answer that will never come.
 */
export async function answerCall(
  session: { readonly proxy: ProxySession; readonly calls: Map<RequestId, AbortController> },
  sessionId: string,
  call: DirectCall,
  response: ServerResponse,
): Promise<void> {
  const controller = new AbortController();
  session.calls.set(call.id, controller);
  let body: string;
  try {
    const answer = await session.proxy.callTool(call.params, controller.signal);
    body = JSON.stringify({ jsonrpc: "2.0", id: call.id, ...answer });
  } catch (error) {
    body = JSON.stringify({ jsonrpc: "2.0", id: call.id, error: errorOf(error) });
  } finally {
    session.calls.delete(call.id);
  }
  response
    .writeHead(200, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
      "mcp-session-id": sessionId,
    })
    .end(body);
}

/**
 * cancelledCall is the id of the call body cancels (a `notifications/cancelled`), if it is one of
 * calls; the SDK server is told too, for calls it runs.
 */
export function cancelledCall(
  body: unknown,
  calls: ReadonlyMap<RequestId, AbortController>,
): { controller: AbortController; reason: unknown } | undefined {
  if (!isObject(body) || body.method !== "notifications/cancelled" || !isObject(body.params))
    return undefined;
  const { requestId, reason } = body.params;
  const controller =
    typeof requestId === "string" || typeof requestId === "number"
      ? calls.get(requestId)
      : undefined;
  return controller === undefined ? undefined : { controller, reason };
}

function errorOf(error: unknown): { code: number; message: string; data?: unknown } {
  const e = (error ?? {}) as { code?: unknown; message?: unknown; data?: unknown };
  return {
    code: Number.isSafeInteger(e.code) ? (e.code as number) : ErrorCode.InternalError,
    message: typeof e.message === "string" ? e.message : "Internal error",
    ...(e.data === undefined ? {} : { data: e.data }),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function onlyKeys(value: Record<string, unknown>, allowed: ReadonlySet<string>): boolean {
  for (const key in value) if (!allowed.has(key)) return false;
  return true;
}
