// A fetch for the SDK's Streamable HTTP client transport, over node:http with connections kept alive.

import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { Readable } from "node:stream";

/** HttpFetch is the subset of fetch the SDK's Streamable HTTP client transport calls. */
export type HttpFetch = (url: string | URL, init?: RequestInit) => Promise<Response>;

/** KeptAliveFetch is a fetch with its own connections, and what closes them. */
export interface KeptAliveFetch {
  readonly fetch: HttpFetch;
  close(): void;
}

/** Statuses whose response has no body, as the Response constructor insists. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * createKeptAliveFetch is a fetch over its own keep-alive connections, for one server. The
 * transport passes one AbortSignal, living as long as the transport, with every request; the
 * global fetch adds an abort listener to it per request and drops it only when the request is
 * garbage-collected, so a busy session piles up thousands (and Node warns of a leak). Here each
 * request's listener is removed as its response ends. Redirects are never followed (the
 * transport asks for `redirect: "manual"` and decides itself), and a response's body is read
 * whole unless it is an event stream.
 */
export function createKeptAliveFetch(): KeptAliveFetch {
  const http = new HttpAgent({ keepAlive: true });
  const https = new HttpsAgent({ keepAlive: true });
  const fetch: HttpFetch = (input, init = {}) =>
    new Promise<Response>((resolve, reject) => {
      const url = typeof input === "string" ? new URL(input) : input;
      const signal = init.signal ?? undefined;
      if (signal?.aborted) return reject(signal.reason);
      const body = requestBody(init.body);
      const headers: Record<string, string> = {};
      new Headers(init.headers).forEach((value, name) => {
        headers[name] = value;
      });
      if (body !== undefined) headers["content-length"] = String(body.length);
      const secure = url.protocol === "https:";
      const request = (secure ? httpsRequest : httpRequest)(url, {
        method: init.method ?? "GET",
        headers,
        agent: secure ? https : http,
      });
      const abort = () => request.destroy(signal?.reason);
      signal?.addEventListener("abort", abort, { once: true });
      const settled = () => signal?.removeEventListener("abort", abort);
      request.once("close", settled);
      // Listened to for good: an error no listener hears ends the process.
      request.on("error", (error) => {
        settled();
        reject(error);
      });
      request.once("response", (message) => {
        respond(message, init.method === "HEAD").then(resolve, reject);
      });
      request.end(body);
    });
  return {
    fetch,
    close: () => {
      http.destroy();
      https.destroy();
    },
  };
}

function requestBody(body: RequestInit["body"]): Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string") return Buffer.from(body, "utf8");
  if (body instanceof Uint8Array) return Buffer.from(body);
  throw new TypeError("createKeptAliveFetch: a request body must be a string or bytes");
}

async function respond(message: IncomingMessage, head: boolean): Promise<Response> {
  const status = message.statusCode ?? 502;
  const headers = new Headers();
  for (const [name, value] of Object.entries(message.headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  const init = { status, statusText: message.statusMessage ?? "", headers };
  if (head || NULL_BODY.has(status)) {
    message.resume();
    return new Response(null, init);
  }
  // A stream's events are read as they come; any other body is read whole, its socket freed.
  if (headers.get("content-type")?.toLowerCase().startsWith("text/event-stream")) {
    return new Response(Readable.toWeb(message) as ReadableStream<Uint8Array>, init);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of message as AsyncIterable<Buffer>) chunks.push(chunk);
  return new Response(Buffer.concat(chunks), init);
}
