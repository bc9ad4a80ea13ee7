// Where the README's examples run: a scratch copy of the repository's top level, a `latch` that
// runs the compiled CLI, and `latch serve` started there as after `npm start`.

import { type ChildProcess, spawn } from "node:child_process";
import { chmod, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { SERVER_NODE_FLAGS } from "../../src/cli/server-node-flags.js";
import { builtIsFresh } from "../support/built-entry.js";
import { freePort } from "../support/free-port.js";

const REPOSITORY = fileURLToPath(new URL("../..", import.meta.url));
/**
 * Entries of the repository not linked into the scratch directory: its data and its history; and
 * the compiled code unless {@link builtIsFresh}, in which case the sandbox compiles src/ afresh.
 */
const NOT_LINKED = new Set([".latch", ".git"]);
/** Variables that would point the server or the CLI elsewhere than a fresh `npm start`. */
const FOREIGN = /^(LATCH_\w+|DATABASE_URL|REDIS_URL)$/;
/** How long `latch serve` may take to answer /readyz: the embedded database is slow to create. */
const START_DEADLINE_MS = 180_000;

/** ReadmeSandbox is a running server and the environment in which examples talk to it. */
export interface ReadmeSandbox {
  /** The scratch directory: the repository's files, linked, and whatever examples create. */
  readonly directory: string;
  /** The environment for example commands: `latch` on the PATH, LATCH_ENDPOINT set. */
  readonly env: Readonly<Record<string, string>>;
  /** localize rewrites the README's default addresses to this server's ports. */
  localize(text: string): string;
  /** serverLog is what the server printed so far. */
  serverLog(): string;
  close(): Promise<void>;
}

/**
 * openReadmeSandbox starts `latch serve` in a scratch directory that links every top-level entry
 * of the repository, with no LATCH_* or DATABASE_URL setting but the ports: the embedded store in
 * `./.latch/data`, new, and the example schema, as `npm start` serves on a fresh clone. `latch`
 * (and `npx latch`) run `dist/cli/main.js`: the repository's build when it is fresh, as on a
 * fresh clone after `npm ci`; else src/ compiled file by file as `npm run build` lays it out, by
 * esbuild. Either costs a third of the start-up CPU of running the sources through tsx, for every
 * command of every example.
 */
export async function openReadmeSandbox(): Promise<ReadmeSandbox> {
  const directory = await mkdtemp(join(tmpdir(), "latch-readme-"));
  const bin = join(directory, ".bin");
  await mkdir(bin);
  const built = builtIsFresh();
  for (const entry of await readdir(REPOSITORY)) {
    if (NOT_LINKED.has(entry) || (entry === "dist" && !built)) continue;
    await symlink(join(REPOSITORY, entry), join(directory, entry));
  }
  if (!built) {
    await build({
      entryPoints: [join(REPOSITORY, "src/**/*.ts")],
      outbase: join(REPOSITORY, "src"),
      outdir: join(directory, "dist"),
      format: "esm",
      platform: "node",
      logLevel: "error",
    });
  }
  const latch = join(bin, "latch");
  const main = join(directory, "dist/cli/main.js");
  // As `npm start` does, node runs with the server's flags.
  const node = [process.execPath, ...SERVER_NODE_FLAGS, main].map((arg) => `"${arg}"`).join(" ");
  await writeFile(latch, `#!/bin/sh\nexec ${node} "$@"\n`);
  await chmod(latch, 0o755);
  const [grpcPort, httpPort] = [await freePort(), await freePort()];
  const base = Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && !FOREIGN.test(entry[0]),
    ),
  );
  const path = `${bin}:${base.PATH ?? ""}`;
  const server = spawn(latch, ["serve"], {
    cwd: directory,
    env: {
      ...base,
      PATH: path,
      LATCH_GRPC_PORT: String(grpcPort),
      LATCH_HTTP_PORT: String(httpPort),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  const append = (chunk: Buffer) => {
    log += chunk.toString();
  };
  server.stdout?.on("data", append);
  server.stderr?.on("data", append);
  const exited = new Promise<number | null>((resolve) => server.once("exit", resolve));
  const close = async () => {
    if (server.exitCode === null && server.signalCode === null) server.kill("SIGTERM");
    await exited;
    await rm(directory, { recursive: true, force: true });
  };
  try {
    await waitUntilReady(httpPort, server, () => log);
  } catch (error) {
    await close();
    throw error;
  }
  return {
    directory,
    env: { ...base, PATH: path, LATCH_ENDPOINT: `localhost:${grpcPort}` },
    localize: (text) =>
      text
        .replaceAll("localhost:8080", `localhost:${httpPort}`)
        .replaceAll("localhost:50051", `localhost:${grpcPort}`),
    serverLog: () => log,
    close,
  };
}

async function waitUntilReady(
  httpPort: number,
  server: ChildProcess,
  log: () => string,
): Promise<void> {
  const deadline = Date.now() + START_DEADLINE_MS;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`latch serve exited:\n${log()}`);
    const ready = await fetch(`http://127.0.0.1:${httpPort}/readyz`).then(
      (response) => response.status === 200,
      () => false,
    );
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`latch serve was not ready within ${START_DEADLINE_MS} ms:\n${log()}`);
}
