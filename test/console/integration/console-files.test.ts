// The console's static files over HTTP: content types, cache headers, the client-route fallback, and nothing outside the folder.

import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConsoleFiles, decodedSegments } from "../../../src/api/console-files.js";

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

let base: string;
let server: Server;
let port: number;

/** get sends path exactly as written (no URL normalization, unlike fetch), and reads the answer. */
function get(path: string, method = "GET"): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const call = request({ host: "127.0.0.1", port, path, method }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        body += chunk;
      });
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
      );
    });
    call.on("error", reject);
    call.end();
  });
}

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), "latch-console-files-"));
  const built = join(base, "console");
  await mkdir(join(built, "assets"), { recursive: true });
  await writeFile(join(built, "index.html"), "<!doctype html><title>console</title>");
  await writeFile(join(built, "assets", "index-abc123.js"), "export {};");
  await writeFile(join(built, "assets", "index-abc123.css"), "body{}");
  await writeFile(join(base, "secret.txt"), "outside");
  await symlink(join(base, "secret.txt"), join(built, "link.txt"));
  const files = createConsoleFiles(built);
  server = createServer((req, res) => {
    if (!files(req, res)) {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not the console");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(base, { recursive: true, force: true });
});

describe("the console's files", () => {
  it("serves index.html at /console and /console/, revalidated each time", async () => {
    for (const path of ["/console", "/console/", "/console/?q=1"]) {
      const answer = await get(path);
      expect(answer.status, path).toBe(200);
      expect(answer.headers["content-type"]).toBe("text/html; charset=utf-8");
      expect(answer.headers["cache-control"]).toBe("no-cache");
      expect(answer.headers["content-security-policy"]).toContain("default-src 'self'");
      expect(answer.headers["x-content-type-options"]).toBe("nosniff");
      expect(answer.body).toContain("<title>console</title>");
    }
  });

  it("serves hashed assets with their content type, cached for good", async () => {
    const script = await get("/console/assets/index-abc123.js");
    expect(script).toMatchObject({ status: 200, body: "export {};" });
    expect(script.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(script.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    const style = await get("/console/assets/index-abc123.css");
    expect(style.headers["content-type"]).toBe("text/css; charset=utf-8");
  });

  it("answers a client route with index.html, and a missing file with 404", async () => {
    const route = await get("/console/decisions/0190abcd?subject=user%3Aalice");
    expect(route.status).toBe(200);
    expect(route.body).toContain("<title>console</title>");
    expect((await get("/console/assets/missing-123.js")).status).toBe(404);
  });

  it("refuses every path that leaves the folder", async () => {
    for (const path of [
      "/console/../secret.txt",
      "/console/assets/../../secret.txt",
      "/console/%2e%2e/secret.txt",
      "/console/%2E%2E%2Fsecret.txt",
      "/console/..%5Csecret.txt",
      "/console/%00",
      "/console/%E0%A4%A",
      "/console/link.txt",
    ]) {
      const answer = await get(path);
      expect(answer.status, path).toBe(404);
      expect(answer.body, path).not.toContain("outside");
    }
  });

  it("leaves other paths to the rest of the server, and takes only GET and HEAD", async () => {
    expect(await get("/consoles")).toMatchObject({ status: 404, body: "not the console" });
    expect(await get("/healthz")).toMatchObject({ status: 404, body: "not the console" });
    const head = await get("/console/", "HEAD");
    expect(head).toMatchObject({ status: 200, body: "" });
    const post = await get("/console/", "POST");
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe("GET, HEAD");
  });

  it("says the console is not built when its folder is missing", async () => {
    const missing = createServer((req, res) => {
      createConsoleFiles(join(base, "nowhere"))(req, res);
    });
    await new Promise<void>((resolve) => missing.listen(0, "127.0.0.1", resolve));
    const answer = await fetch(
      `http://127.0.0.1:${(missing.address() as AddressInfo).port}/console/`,
    );
    expect(answer.status).toBe(404);
    expect(await answer.text()).toBe("the console is not built: run npm run build");
    await new Promise((resolve) => missing.close(resolve));
  });
});

describe("decodedSegments", () => {
  it("decodes segments and refuses dot segments, encoded separators and bad escapes", () => {
    expect(decodedSegments("/assets/a%20b.js")).toEqual(["assets", "a b.js"]);
    expect(decodedSegments("//x//y/")).toEqual(["x", "y"]);
    for (const bad of ["/..", "/./x", "/a%2Fb", "/a%5Cb", "/%00", "/%zz"]) {
      expect(decodedSegments(bad), bad).toBeUndefined();
    }
  });
});
