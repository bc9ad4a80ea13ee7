// A tools/call to a server without the SDK client's request machinery: the request sent as JSON, the server's answer relayed as it gave it.

import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { urlToHttpOptions } from "node:url";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import {
  ErrorCode,
  JSONRPCMessageSchema,
  type JSONRPCRequest,
  McpError,
  type Progress,
} from "@modelcontextprotocol/sdk/types.js";

/** RpcError is a JSON-RPC error as a server sent it. */
export interface RpcError {
  readonly code: number;
  readonly message: string;
  readonly data?: unknown;
}

/** RpcAnswer is a server's answer to a call: its result, or its error, unchanged. */
export type RpcAnswer = { readonly result: unknown } | { readonly error: RpcError };

/** CallOptions bound a call: how long it may take, what cancels it, where its progress goes. */
export interface CallOptions {
  readonly timeout: number;
  readonly signal?: AbortSignal | undefined;
  readonly onprogress?: ((progress: Progress) => void) | undefined;
}

/** UpstreamCaller sends tools/call requests to one server; close ends its connections. */
export interface UpstreamCaller {
  call(params: Readonly<Record<string, unknown>>, options: CallOptions): Promise<RpcAnswer>;
  close(): void;
}

/**
 * The first request id the gateway's own calls use: the SDK client numbers its requests from 0 on
 * the same connection, and a server keys what it holds for a request by its id.
 */
const FIRST_ID = 2 ** 40;

interface Pending {
  readonly resolve: (answer: RpcAnswer) => void;
  readonly reject: (error: unknown) => void;
  readonly onprogress: ((progress: Progress) => void) | undefined;
}

/**
 * PendingCalls are the calls a caller has sent and not yet had answered. A call is answered by the
 * server's response with its id, fails when its timeout passes or its signal aborts (the server is
 * then told the call was cancelled, as the SDK client does), and hears the progress notifications
 * carrying its id as their token.
 */
class PendingCalls {
  private readonly pending = new Map<number, Pending>();
  private next = FIRST_ID;

  constructor(
    private readonly client: Client,
    private readonly server: string,
  ) {}

  /**
   * open registers a call and has send send its request: its own id, and params (with that id as
   * the progress token when progress is asked for); what send returns abandons the request when
   * the call fails before an answer.
   */
  open(
    params: Readonly<Record<string, unknown>>,
    options: CallOptions,
    send: (request: JSONRPCRequest, fail: (error: unknown) => void) => () => void,
  ): Promise<RpcAnswer> {
    const { signal, onprogress, timeout } = options;
    signal?.throwIfAborted();
    const id = this.next++;
    let sent: Record<string, unknown> = { ...params };
    if (onprogress !== undefined) {
      const meta = (params._meta ?? {}) as Record<string, unknown>;
      sent = { ...sent, _meta: { ...meta, progressToken: id } };
    }
    return new Promise<RpcAnswer>((resolve, reject) => {
      let abandon: () => void = () => {};
      const settle = () => {
        this.pending.delete(id);
        clearTimeout(timer);
        signal?.removeEventListener("abort", aborted);
      };
      const fail = (error: unknown) => {
        if (!this.pending.has(id)) return;
        settle();
        abandon();
        reject(error);
      };
      const cancel = (reason: unknown) => {
        if (!this.pending.has(id)) return;
        void this.client
          .notification({
            method: "notifications/cancelled",
            params: { requestId: id, reason: String(reason) },
          })
          .catch(() => {});
        // As the SDK client: a reason that is no MCP error is reported as a timeout.
        fail(
          reason instanceof McpError
            ? reason
            : new McpError(ErrorCode.RequestTimeout, String(reason)),
        );
      };
      const aborted = () => cancel(signal?.reason);
      const timer = setTimeout(
        () => cancel(new McpError(ErrorCode.RequestTimeout, "Request timed out", { timeout })),
        timeout,
      );
      signal?.addEventListener("abort", aborted, { once: true });
      this.pending.set(id, {
        resolve: (answer) => {
          settle();
          resolve(answer);
        },
        reject: fail,
        onprogress,
      });
      abandon = send({ jsonrpc: "2.0", id, method: "tools/call", params: sent }, fail);
    });
  }

  /** deliver takes message if it answers or reports on a pending call; false if it does not. */
  deliver(message: unknown): boolean {
    if (typeof message !== "object" || message === null) return false;
    const m = message as { id?: unknown; method?: unknown; params?: unknown };
    if (m.method === "notifications/progress") {
      const { progressToken, ...progress } = (m.params ?? {}) as Record<string, unknown>;
      const call = typeof progressToken === "number" ? this.pending.get(progressToken) : undefined;
      if (call?.onprogress === undefined) return false;
      call.onprogress(progress as Progress);
      return true;
    }
    if (m.method !== undefined || typeof m.id !== "number") return false;
    const call = this.pending.get(m.id);
    if (call === undefined) return false;
    const answer = answerOf(message as { result?: unknown; error?: unknown });
    if (answer === undefined)
      call.reject(
        new Error(`server ${this.server} answered call ${m.id} with neither a result nor an error`),
      );
    else call.resolve(answer);
    return true;
  }

  /** failAll fails every pending call, as their connection ended. */
  failAll(error: Error): void {
    for (const call of [...this.pending.values()]) call.reject(error);
  }
}

function answerOf(message: { result?: unknown; error?: unknown }): RpcAnswer | undefined {
  if ("result" in message) return { result: message.result };
  const error = message.error as Partial<RpcError> | undefined;
  if (typeof error?.code === "number" && typeof error.message === "string")
    return { error: error as RpcError };
  return undefined;
}

/**
 * createStdioCaller calls a server run as a command through its connected SDK transport: the
 * request is a line on its stdin, and the responses to the caller's calls (and their progress) are
 * taken from its stdout before the SDK client sees them; all else goes to the client as before.
 */
export function createStdioCaller(
  name: string,
  client: Client,
  transport: Transport,
): UpstreamCaller {
  const calls = new PendingCalls(client, name);
  const toClient = transport.onmessage;
  transport.onmessage = (message, extra) => {
    if (!calls.deliver(message)) toClient?.(message, extra);
  };
  const closed = transport.onclose;
  transport.onclose = () => {
    calls.failAll(new McpError(ErrorCode.ConnectionClosed, "Connection closed"));
    closed?.();
  };
  return {
    call: (params, options) =>
      calls.open(params, options, (request, fail) => {
        transport.send(request).catch(fail);
        return () => {};
      }),
    close: () => {},
  };
}

/** The session's headers the SDK transport holds once connected. */
interface HttpSessionSource {
  readonly sessionId?: string | undefined;
  readonly protocolVersion?: string | undefined;
  onmessage?: Transport["onmessage"];
}

/**
 * createHttpCaller calls a server over Streamable HTTP in the session its SDK transport opened:
 * each call is a POST of its own over kept-alive connections, answered as JSON or as an event
 * stream. What a stream carries besides the call's answer and progress (the server's log lines,
 * its requests to the client) goes to the SDK client as its own transport would have passed it.
 */
export function createHttpCaller(
  name: string,
  url: URL,
  client: Client,
  transport: HttpSessionSource,
): UpstreamCaller {
  const calls = new PendingCalls(client, name);
  const secure = url.protocol === "https:";
  const target = urlToHttpOptions(url);
  const agent = secure ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  const take = (message: unknown) => {
    if (calls.deliver(message)) return;
    transport.onmessage?.(JSONRPCMessageSchema.parse(message));
  };
  return {
    call: (params, options) =>
      calls.open(params, options, (message, fail) => {
        const request = JSON.stringify(message);
        const headers: Record<string, string> = {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          "content-length": String(Buffer.byteLength(request)),
        };
        if (transport.sessionId !== undefined) headers["mcp-session-id"] = transport.sessionId;
        if (transport.protocolVersion !== undefined)
          headers["mcp-protocol-version"] = transport.protocolVersion;
        const post = (secure ? httpsRequest : httpRequest)({
          ...target,
          method: "POST",
          headers,
          agent,
        });
        post.on("error", fail);
        post.once("response", (response) => {
          readAnswer(name, response, take).then(
            () => fail(new Error(`server ${name} ended its answer without answering the call`)),
            fail,
          );
        });
        post.end(request);
        return () => post.destroy();
      }),
    close: () => agent.destroy(),
  };
}

/** readAnswer passes each message of a response to take, as they arrive; rejects a response that is no answer. */
async function readAnswer(
  name: string,
  response: IncomingMessage,
  take: (message: unknown) => void,
): Promise<void> {
  const status = response.statusCode ?? 0;
  const type = (response.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  response.setEncoding("utf8");
  if (type === "text/event-stream" && status >= 200 && status <= 299) {
    await eachChunk(
      response,
      eventReader((data) => take(JSON.parse(data))),
    );
    return;
  }
  let text = "";
  await eachChunk(response, (chunk) => {
    text += chunk;
  });
  if (type !== "application/json" || status < 200 || status > 299) {
    throw new Error(
      `server ${name} answered a call with HTTP ${status}${type === "" ? "" : ` (${type})`}: ${text.slice(0, 200)}`,
    );
  }
  const body: unknown = JSON.parse(text);
  for (const message of Array.isArray(body) ? body : [body]) take(message);
}

/** eachChunk calls onChunk with each chunk of response; settles as it ends, fails or onChunk throws. */
function eachChunk(response: IncomingMessage, onChunk: (chunk: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    response.on("data", (chunk: string) => {
      try {
        onChunk(chunk);
      } catch (error) {
        response.destroy();
        reject(error);
      }
    });
    response.once("end", resolve);
    response.once("error", reject);
    response.once("close", () => {
      if (!response.complete) reject(new Error("the connection closed before the answer ended"));
    });
  });
}

/**
 * eventReader reads a text/event-stream chunk by chunk, calling onData with the data of each
 * message event as it completes: `data:` lines joined by newlines, events of another type and
 * other fields ignored.
 */
function eventReader(onData: (data: string) => void): (chunk: string) => void {
  let partial = "";
  let data: string[] = [];
  let event = "";
  return (chunk) => {
    const lines = (partial + chunk).split("\n");
    partial = lines.pop()!;
    for (const raw of lines) {
      const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
      if (line === "") {
        if (data.length > 0 && (event === "" || event === "message")) onData(data.join("\n"));
        data = [];
        event = "";
        continue;
      }
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? "" : line.slice(colon + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      if (field === "data") data.push(value);
      else if (field === "event") event = value;
    }
  };
}
