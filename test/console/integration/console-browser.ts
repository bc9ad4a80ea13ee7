// Test helper: the console built, served by a real `latch serve`, and Debian's Chromium to drive it.

import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { AxeBuilder } from "@axe-core/playwright";
import { type Browser, chromium, type Page } from "playwright-core";
import { type ServedLatch, serveLatch, servingPorts } from "../../support/latch-serve.js";

/** CHROMIUM is Debian's Chromium, which `.ci/run` installs where it is missing. */
export const CHROMIUM = "/usr/bin/chromium";

/**
 * browserMissing says why the browser tests cannot run here, or undefined when they can. In CI
 * (`CI=true`) a missing Chromium fails the run instead: the tests must not skip there.
 */
export function browserMissing(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  const why = `${CHROMIUM} is missing (apt-get install chromium)`;
  if (process.env.CI === "true") throw new Error(`the console's browser tests need ${why}`);
  return why;
}

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** buildConsole builds the console into dist/console, where `latch serve` serves it from. */
export async function buildConsole(): Promise<void> {
  const vite = join(ROOT, "node_modules/vite/bin/vite.js");
  await promisify(execFile)(
    process.execPath,
    [vite, "build", "--config", "console/vite.config.ts", "--logLevel", "warn"],
    { cwd: ROOT },
  );
}

/** launchBrowser starts headless Chromium as the CI runs it. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}

/** ConsoleServer is a running `latch serve` with the console, and how to reach it. */
export interface ConsoleServer {
  /** The console's URL: `http://127.0.0.1:PORT/console`. */
  readonly consoleUrl: string;
  /** The environment pointing the CLI at the server's gRPC port. */
  readonly cliEnv: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

/** serveConsole starts `latch serve` on a fresh data directory with env, and waits until it serves. */
export async function serveConsole(env: Record<string, string> = {}): Promise<ConsoleServer> {
  const dataDir = await mkdtemp(join(tmpdir(), "latch-console-"));
  const served: ServedLatch = serveLatch({ LATCH_DATA_DIR: dataDir, ...env });
  const { grpcPort, httpPort } = await servingPorts(served);
  return {
    consoleUrl: `http://127.0.0.1:${httpPort}/console`,
    cliEnv: { LATCH_ENDPOINT: `127.0.0.1:${grpcPort}` },
    async stop() {
      served.process.kill("SIGTERM");
      await served.exited;
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** SCREENSHOTS is where the tests save a picture of each page (for review, and for the README). */
export const SCREENSHOTS = join(ROOT, "console-screenshots");

/** screenshot saves page as SCREENSHOTS/name.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** SERIOUS are the impacts of axe's violations that fail the accessibility check. */
const SERIOUS = new Set(["serious", "critical"]);

/**
 * seriousViolations runs axe over page as it stands and lists its serious and critical
 * violations, each as `rule: target, target…`: none is the bar.
 */
export async function seriousViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((violation) => SERIOUS.has(String(violation.impact)))
    .map((v) => `${v.id}: ${v.nodes.map((node) => node.target.join(" ")).join(", ")}`);
}
