// Serves the built operator console at /console on the HTTP port: files of one folder, nothing outside it.

import { readFile, realpath, stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** CONSOLE_PATH is where the console is served: `/console` and every path under it. */
export const CONSOLE_PATH = "/console";

/**
 * CONSOLE_DIRECTORY is the built console, `dist/console` of the package: the same folder whether
 * the server runs from `dist/` or from the sources.
 */
export const CONSOLE_DIRECTORY = fileURLToPath(new URL("../../dist/console/", import.meta.url));

/** The content type of each kind of file the build writes. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

/**
 * Headers on every answer: the console runs only its own scripts and talks only to this origin,
 * and no other site may frame it (it holds an API key while open).
 */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

/** Files under `assets/` have a hash of their content in their name: they never change. */
const IMMUTABLE = "public, max-age=31536000, immutable";
/** Everything else (index.html) is asked for again each time, so a new build shows at once. */
const REVALIDATE = "no-cache";

/**
 * createConsoleFiles returns a handler that answers the requests for {@link CONSOLE_PATH} from
 * directory and says whether the request was one: a file of directory by its path; any other
 * path without a file extension gets `index.html`, the console's own routes (`/console/decisions`);
 * a path that leaves directory (`..`, an encoded slash, a symbolic link out) or names no file is 404.
 */
export function createConsoleFiles(
  directory: string,
): (request: IncomingMessage, response: ServerResponse) => boolean {
  const root = realpath(directory).catch(() => undefined);
  return (request, response) => {
    const path = (request.url ?? "").split("?", 1)[0] ?? "";
    if (path !== CONSOLE_PATH && !path.startsWith(`${CONSOLE_PATH}/`)) return false;
    serve(path.slice(CONSOLE_PATH.length), request, response, root).catch(() =>
      reply(response, request, 500, "text/plain; charset=utf-8", "the console could not be read"),
    );
    return true;
  };
}

async function serve(
  relative: string,
  request: IncomingMessage,
  response: ServerResponse,
  rootPromise: Promise<string | undefined>,
): Promise<void> {
  const text = "text/plain; charset=utf-8";
  if (request.method !== "GET" && request.method !== "HEAD") {
    response.setHeader("allow", "GET, HEAD");
    return reply(response, request, 405, text, `${request.method} is not served at /console`);
  }
  const root = await rootPromise;
  if (root === undefined) {
    return reply(response, request, 404, text, "the console is not built: run npm run build");
  }
  const segments = decodedSegments(relative);
  if (segments === undefined) return reply(response, request, 404, text, "no such file");
  const file = await fileWithin(root, segments);
  if (file !== undefined) {
    const type = CONTENT_TYPES[extname(file)] ?? "application/octet-stream";
    const cache = segments[0] === "assets" ? IMMUTABLE : REVALIDATE;
    return reply(response, request, 200, type, await readFile(file), cache);
  }
  // A missing file (a path with an extension) is 404; a client route is the page that routes it.
  if (extname(segments.at(-1) ?? "") !== "") {
    return reply(response, request, 404, text, "no such file");
  }
  const index = await fileWithin(root, ["index.html"]);
  if (index === undefined) {
    return reply(response, request, 404, text, "the console is not built: run npm run build");
  }
  return reply(response, request, 200, CONTENT_TYPES[".html"]!, await readFile(index), REVALIDATE);
}

/**
 * decodedSegments splits a URL path into its decoded segments, or undefined for one that could
 * reach outside the folder or is not a path: `.` or `..`, a slash, a backslash or NUL once decoded,
 * or a malformed escape.
 */
export function decodedSegments(path: string): string[] | undefined {
  const segments: string[] = [];
  for (const raw of path.split("/")) {
    if (raw === "") continue;
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (segment === "." || segment === ".." || /[/\\\0]/.test(segment)) return undefined;
    segments.push(segment);
  }
  return segments;
}

/** fileWithin is the real path of a regular file at segments under root, when it stays under root. */
async function fileWithin(root: string, segments: readonly string[]): Promise<string | undefined> {
  if (segments.length === 0) return undefined;
  try {
    const file = await realpath(join(root, ...segments));
    if (!file.startsWith(root + sep)) return undefined;
    return (await stat(file)).isFile() ? file : undefined;
  } catch {
    return undefined;
  }
}

function reply(
  response: ServerResponse,
  request: IncomingMessage,
  status: number,
  type: string,
  body: string | Buffer,
  cache = REVALIDATE,
): void {
  response.writeHead(status, {
    ...SECURITY_HEADERS,
    "content-type": type,
    "content-length": String(Buffer.byteLength(body)),
    "cache-control": cache,
  });
  response.end(request.method === "HEAD" ? undefined : body);
}
