// `latch serve` as a process: start on the embedded store, serve, stop cleanly on SIGTERM.

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

const MAIN = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));

interface Served {
  readonly process: ChildProcess;
  readonly log: () => string;
  readonly exited: Promise<number | null>;
}

const running: Served[] = [];
afterEach(() => {
  for (const served of running.splice(0)) served.process.kill("SIGKILL");
});

/** serve starts `latch serve` with env on free ports. */
function serve(env: Record<string, string>): Served {
  const child = spawn(process.execPath, ["--import", "tsx", MAIN, "serve"], {
    env: { ...process.env, LATCH_GRPC_PORT: "0", LATCH_HTTP_PORT: "0", ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    log += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const served = { process: child, log: () => log, exited };
  running.push(served);
  return served;
}

/** httpPortOf waits for the start-up line and returns the HTTP port it names. */
async function httpPortOf(served: Served): Promise<number> {
  for (let i = 0; i < 600; i++) {
    const match = /HTTP port (\d+)/.exec(served.log());
    if (match) return Number(match[1]);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`latch serve did not start:\n${served.log()}`);
}

describe("latch serve", () => {
  it("serves the example schema on a new embedded store, keeps it across restarts, and stops on SIGTERM", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "latch-serve-"));
    try {
      const first = serve({ LATCH_DATA_DIR: dataDir });
      const port = await httpPortOf(first);
      expect(first.log()).toContain("DEVELOPMENT MODE");
      expect(first.log()).toContain("wrote the example agent schema");
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
      const write = await fetch(
        `http://127.0.0.1:${port}/latch.v1.RelationshipService/WriteRelationships`,
        {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            updates: [
              {
                operation: "OPERATION_TOUCH",
                relationship: {
                  resource: { type: "agent", id: "helper" },
                  relation: "owner",
                  subject: { object: { type: "user", id: "alice" } },
                },
              },
            ],
          }),
        },
      );
      expect(write.status).toBe(200);
      first.process.kill("SIGTERM");
      expect(await first.exited).toBe(0);
      expect(first.log()).toContain("stopped");

      const second = serve({ LATCH_DATA_DIR: dataDir });
      const again = await httpPortOf(second);
      expect(second.log()).not.toContain("wrote the example");
      const check = await fetch(`http://127.0.0.1:${again}/latch.v1.PermissionService/Check`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          resource: { type: "agent", id: "helper" },
          permission: "manage",
          subject: { object: { type: "user", id: "alice" } },
        }),
      });
      expect(await check.json()).toMatchObject({ result: "CHECK_RESULT_ALLOWED" });
      second.process.kill("SIGTERM");
      expect(await second.exited).toBe(0);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 120_000);

  it("refuses to bind beyond 127.0.0.1 without an API key", async () => {
    const served = serve({ LATCH_HOST: "0.0.0.0", LATCH_DATA_DIR: "/nonexistent/never-opened" });
    expect(await served.exited).toBe(2);
    expect(served.log()).toContain("no API key is configured");
  }, 60_000);
});
