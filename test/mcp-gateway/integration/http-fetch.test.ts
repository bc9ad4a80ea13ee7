// The gateway's fetch for servers over HTTP: one signal shared by many requests keeps no listener
// once each response has ended (read whole, streamed, or aborted), and connections are reused.

import { getEventListeners } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKeptAliveFetch } from "../../../src/mcp-gateway/http-fetch.js";

describe("createKeptAliveFetch", () => {
  let server: Server;
  let url: string;
  let connections = 0;
  const kept = createKeptAliveFetch();

  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === "/events") {
        response.writeHead(200, { "content-type": "text/event-stream" });
        response.write("data: one\n\n");
        // Left open: the client ends it.
        return;
      }
      if (request.url === "/accepted") {
        response.writeHead(202).end();
        return;
      }
      let body = "";
      request.on("data", (chunk: Buffer) => {
        body += chunk.toString();
      });
      request.on("end", () => {
        response.writeHead(200, { "content-type": "application/json", "x-seen": request.method });
        response.end(JSON.stringify({ echo: body }));
      });
    });
    server.on("connection", () => connections++);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    kept.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("answers like fetch, keeping no listener on the shared signal and one connection", async () => {
    const controller = new AbortController();
    const before = connections;
    for (let i = 0; i < 200; i++) {
      const response = await kept.fetch(`${url}/echo`, {
        method: "POST",
        headers: new Headers({ "content-type": "application/json" }),
        body: `{"n":${i}}`,
        signal: controller.signal,
      });
      expect(response.status).toBe(200);
      expect(response.headers.get("x-seen")).toBe("POST");
      expect(await response.json()).toEqual({ echo: `{"n":${i}}` });
      expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
    }
    const accepted = await kept.fetch(`${url}/accepted`, {
      method: "POST",
      body: "{}",
      signal: controller.signal,
    });
    expect(accepted.status).toBe(202);
    expect(await accepted.text()).toBe("");
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
    expect(connections - before).toBe(1);
  });

  it("streams an event stream until the signal aborts it, and then lets go of the signal", async () => {
    const controller = new AbortController();
    const response = await kept.fetch(`${url}/events`, { signal: controller.signal });
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe("data: one\n\n");
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(1);
    controller.abort(new Error("closed by the client"));
    await expect(reader.read()).rejects.toThrow();
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("refuses at once with a signal already aborted", async () => {
    const controller = new AbortController();
    controller.abort(new Error("gone"));
    await expect(kept.fetch(`${url}/echo`, { signal: controller.signal })).rejects.toThrow("gone");
  });
});
