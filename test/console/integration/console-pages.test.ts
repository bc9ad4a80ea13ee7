// The console in a real browser against a real `latch serve`: sign-in, and each page doing its job.

import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashApiKey } from "../../../src/api/api-keys.js";
import { runLatch } from "../../cli/run-cli-helper.js";
import { waitFor } from "../../support/wait-for.js";
import {
  browserMissing,
  buildConsole,
  type ConsoleServer,
  launchBrowser,
  SCREENSHOTS,
  screenshot,
  seriousViolations,
  serveConsole,
} from "./console-browser.js";

const missing = browserMissing();

let browser: Browser;

beforeAll(async () => {
  if (missing !== undefined) return;
  await mkdir(SCREENSHOTS, { recursive: true });
  await buildConsole();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

/**
 * latch runs the CLI against server (with token as its API key, if given) and returns what it
 * printed; it fails the test when the command fails (a check's denial, exit code 1 with nothing
 * on stderr, is an answer).
 */
async function latch(server: ConsoleServer, args: string[], token?: string): Promise<string> {
  const env = {
    ...process.env,
    ...server.cliEnv,
    ...(token === undefined ? {} : { LATCH_TOKEN: token }),
  };
  const run = await runLatch(args, {}, { env });
  if (run.exitCode !== 0 && run.stderr !== "") {
    throw new Error(`latch ${args.join(" ")}: ${run.stderr}`);
  }
  return run.stdout;
}

/** RULES raise an alert for every decision an agent takes part in about the payroll document. */
const RULES = `rules:
  - name: payroll-watch
    match: { actor: agent, resource: "document:payroll" }
    condition: any
`;

describe.skipIf(missing !== undefined)("the console in development mode", () => {
  let server: ConsoleServer;
  let page: Page;
  let rulesDir: string;

  beforeAll(async () => {
    rulesDir = await mkdtemp(join(tmpdir(), "latch-console-rules-"));
    await writeFile(join(rulesDir, "alerts.yaml"), RULES);
    server = await serveConsole({ LATCH_ALERTS: join(rulesDir, "alerts.yaml") });
    await latch(server, ["import", "schema/agent.yaml"]);
    await latch(server, [
      "check",
      "document:review#view@user:eng_manager",
      "--actor",
      "agent:assistant",
    ]);
    await latch(server, [
      "check",
      "document:design#view@user:engineer",
      "--actor",
      "agent:assistant",
    ]);
    // The decision log writes off the request path: wait until the denial is in it.
    await waitFor(
      "the denied decision in the log",
      async () =>
        (await latch(server, ["decisions", "list", "--resource", "document:review"])).includes(
          "denied",
        ),
      30_000,
    );
    // A page of its own context: axe opens another page in it to gather its results.
    page = await (await browser.newContext()).newPage();
  });

  afterAll(async () => {
    await page?.context().close();
    await server?.stop();
    await rm(rulesDir, { recursive: true, force: true });
  });

  it("opens with no sign-in, on the decisions", async () => {
    await page.goto(`${server.consoleUrl}/`);
    await page.getByRole("heading", { name: "Decisions" }).waitFor();
    await expect(page.getByText("Development mode: no API key").isVisible()).resolves.toBe(true);
    await expect(page.getByLabel("API key").count()).resolves.toBe(0);
    await page.getByRole("link", { name: "Agents" }).click();
    await page.waitForURL(/\/console\/agents$/);
    await page.getByRole("heading", { name: "Agents" }).waitFor();
    await page.goBack();
    await page.getByRole("heading", { name: "Decisions" }).waitFor();
  });

  it("searches the decisions by the URL, opens a denial and reads its reason in the proof", async () => {
    await page.goto(`${server.consoleUrl}/decisions`);
    // Type once the list has loaded: the fields are then the user's alone.
    await page.getByRole("row").nth(1).waitFor();
    await page.getByLabel("Resource").fill("document:review");
    await page.getByLabel("Result").selectOption("denied");
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL(/\/console\/decisions\?resource=document%3Areview&result=denied$/);
    const row = page.getByRole("row").filter({ hasText: "document:review" });
    // The unfiltered list may still show while the search loads: wait for the search's rows.
    await expect.poll(() => row.count()).toBe(1);
    await screenshot(page, "decisions");

    // The URL alone reproduces the search.
    await page.goto(page.url());
    await row.first().waitFor();

    await row.getByRole("link").click();
    await page.waitForURL(/\/console\/decisions\/[0-9a-f-]{36}$/);
    await page.getByRole("heading", { name: "Actor chain" }).waitFor();
    const chain = page.locator(".chain");
    await expect(chain.textContent()).resolves.toContain(
      "agent:assistant (acting for user:eng_manager) — denied: no permission",
    );
    await expect(page.getByText("Failing leg").textContent()).resolves.toBe(
      "Failing leg: the permission check of agent:assistant was denied.",
    );
    await expect(page.locator(".proof-tree").textContent()).resolves.toContain("document:review");
    await screenshot(page, "decision");

    await page.getByRole("button", { name: "Check again now" }).click();
    await page.getByText("the same answer as recorded").waitFor();
    // The console's own check is in the log too, saying where it came from.
    await waitFor(
      "the console's check in the log",
      async () =>
        (
          await latch(server, ["decisions", "list", "--resource", "document:review", "--json"])
        ).includes('"console":"check again"'),
      30_000,
    );
    await expect(page.locator(".check-again").textContent()).resolves.toMatch(
      /permission of agent:assistant:\s*denied/,
    );
  });

  it("streams decisions live, counts them per agent, and holds them back while paused", async () => {
    await page.goto(`${server.consoleUrl}/live?actor=agent%3Aassistant`);
    await expect(page.getByLabel("Actor").inputValue()).resolves.toBe("agent:assistant");
    await page.getByText("Live: decisions appear as they are made.").waitFor();
    await latch(server, ["check", "document:vp_plan#view@user:vp", "--actor", "agent:assistant"]);
    await latch(server, ["check", "document:vp_plan#view@user:vp"]);
    const rows = page.locator("table.decisions tbody tr");
    await rows.first().waitFor();
    await expect(rows.first().textContent()).resolves.toContain("document:vp_plan");
    const counts = page.locator("table.agent-counts tbody tr");
    await expect.poll(() => counts.first().textContent()).toBe("agent:assistant11");
    await screenshot(page, "live");

    await page.getByRole("button", { name: "Pause" }).click();
    await latch(server, [
      "check",
      "document:design#view@user:engineer",
      "--actor",
      "agent:assistant",
    ]);
    await page.getByText("Paused: 1 new decisions held back.").waitFor();
    await expect(rows.count()).resolves.toBe(1);
    await expect.poll(() => counts.first().textContent()).toBe("agent:assistant21");
    await page.getByRole("button", { name: "Resume" }).click();
    await expect.poll(() => rows.count()).toBe(2);
    await expect(rows.first().textContent()).resolves.toContain("document:design");
  });

  it("suspends an agent, whose next check is denied, and resumes it", async () => {
    const check = () =>
      latch(server, ["check", "document:design#view@user:engineer", "--actor", "agent:assistant"]);
    await page.goto(`${server.consoleUrl}/agents`);
    const row = page.getByRole("row").filter({ hasText: "agent:assistant" });
    await row.getByRole("button", { name: "Suspend agent:assistant…" }).click();
    await row.getByLabel("Reason").fill("reads too much");
    await row.getByLabel("For").selectOption({ label: "1 hour" });
    await screenshot(page, "agents");
    await row.getByRole("button", { name: "Suspend agent:assistant" }).click();
    await row.getByText("suspended by development: reads too much").waitFor();
    await waitFor(
      "the suspended agent's check denied",
      async () => (await check()).startsWith("denied"),
      30_000,
    );

    await row.getByRole("button", { name: "Resume agent:assistant" }).click();
    await row.getByRole("cell", { name: "active" }).waitFor();
    await waitFor(
      "the resumed agent's check allowed",
      async () => (await check()).startsWith("allowed"),
      30_000,
    );
  });

  it("stops every agent after a confirmation, and resumes them", async () => {
    await page.goto(`${server.consoleUrl}/agents`);
    await page.getByRole("button", { name: "Stop all agents…" }).click();
    await page.getByText("Stop every agent?").waitFor();
    await page.getByLabel("Reason").fill("incident 42");
    await page.getByRole("button", { name: "Yes, stop every agent" }).click();
    await page.getByRole("heading", { name: "Every agent is stopped" }).waitFor();
    await page.getByText("by development: incident 42").waitFor();
    await page.getByRole("button", { name: "Resume all agents" }).click();
    await page.getByRole("button", { name: "Stop all agents…" }).waitFor();
  });

  it("shows a request as it is made, approves it, sees it leave the inbox, and revokes the grant", async () => {
    const check = () => latch(server, ["check", "document:vp_plan#edit@agent:assistant"]);
    await page.goto(`${server.consoleUrl}/requests`);
    await page.getByText("No request is waiting.").waitFor();
    await latch(server, [
      "access",
      "request",
      "document:vp_plan#editor@agent:assistant",
      "--for",
      "2h",
      "--justification",
      "fix the figures in section 3",
      "--actor",
      "user:eng_manager",
    ]);
    const card = page.getByRole("article", {
      name: "Request for document:vp_plan#editor@agent:assistant",
    });
    await card.getByText("fix the figures in section 3").waitFor();
    await expect(card.getByRole("heading").textContent()).resolves.toContain("for 2 h");
    await card.getByLabel("Grant for").selectOption({ label: "1 h" });
    await card.getByLabel("Note").fill("section 3 only");
    await screenshot(page, "requests");
    await expect(check()).resolves.toMatch(/^denied/);
    await card.getByRole("button", { name: "Approve" }).click();
    await card.waitFor({ state: "detached" });
    await page.getByText("No request is waiting.").waitFor();
    const grant = page
      .getByRole("row")
      .filter({ hasText: "document:vp_plan#editor@agent:assistant" });
    await grant.getByText("development: section 3 only").waitFor();
    await waitFor(
      "the approved grant's check allowed",
      async () => (await check()).startsWith("allowed"),
      30_000,
    );

    await grant.getByRole("button", { name: "Revoke" }).click();
    await grant.waitFor({ state: "detached" });
    await page.getByText("No approved grant is in force.").waitFor();
    await waitFor(
      "the revoked grant's check denied",
      async () => (await check()).startsWith("denied"),
      30_000,
    );
  });

  it("denies a request with a note, and it leaves the inbox", async () => {
    await page.goto(`${server.consoleUrl}/requests`);
    await page.getByText("No request is waiting.").waitFor();
    await latch(server, [
      "access",
      "request",
      "document:design#editor@agent:assistant",
      "--for",
      "1h",
      "--justification",
      "tidy the diagrams",
    ]);
    const card = page.getByRole("article", {
      name: "Request for document:design#editor@agent:assistant",
    });
    await card.getByLabel("Note").fill("not this week");
    await card.getByRole("button", { name: "Deny" }).click();
    await card.waitFor({ state: "detached" });
    await page.getByText("No request is waiting.").waitFor();
    await expect(latch(server, ["access", "list", "--status", "denied"])).resolves.toContain(
      "denied by development: not this week",
    );
  });

  it("shows an alert as its rule fires, acknowledges it with a note, and lists it with its agent", async () => {
    await page.goto(`${server.consoleUrl}/alerts?rule=payroll-watch`);
    await expect(page.getByLabel("Rule").inputValue()).resolves.toBe("payroll-watch");
    await page.getByText("No alert matches.").waitFor();
    await page.getByText("Live: alerts appear as they are raised").waitFor();
    await latch(server, [
      "check",
      "document:payroll#view@user:eng_manager",
      "--actor",
      "agent:assistant",
    ]);
    const row = page.getByRole("row").filter({ hasText: "payroll-watch" });
    await row.waitFor({ timeout: 30_000 });
    await expect(row.getByRole("cell").nth(2).textContent()).resolves.toBe("agent:assistant");
    await expect(row.textContent()).resolves.toContain("document:payroll");
    await row.getByLabel("Note").fill("expected: quarterly audit");
    await screenshot(page, "alerts");
    await row.getByRole("button", { name: "Acknowledge" }).click();
    await row.getByText("by development").waitFor();
    await expect(row.textContent()).resolves.toContain(": expected: quarterly audit");
    await expect(
      latch(server, ["alerts", "list", "--rule", "payroll-watch", "--status", "acknowledged"]),
    ).resolves.toMatch(/acknowledged payroll-watch agent:assistant/);

    // The URL alone filters: no open alert is left.
    await page.goto(`${server.consoleUrl}/alerts?rule=payroll-watch&status=open`);
    await page.getByText("No alert matches.").waitFor();

    await page.goto(`${server.consoleUrl}/agents`);
    const agent = page.getByRole("row").filter({ hasText: "agent:assistant" });
    await agent.getByText("payroll-watch (acknowledged)").waitFor();
    await agent.getByRole("link", { name: "0 open: every alert of agent:assistant" }).click();
    await page.waitForURL(/\/console\/alerts\?agent=agent%3Aassistant$/);
    await page.getByRole("row").filter({ hasText: "payroll-watch" }).waitFor();
  });

  it("writes a relationship and lists it, filters by the URL, and deletes it", async () => {
    await page.goto(`${server.consoleUrl}/relationships`);
    await page.getByLabel("Filter", { exact: true }).fill("document:console_test");
    await page.getByRole("button", { name: "Show" }).click();
    await page.waitForURL(/\/console\/relationships\?filter=document%3Aconsole_test$/);
    await page.getByText("No relationship matches.").waitFor();

    await page.getByLabel("New relationship").fill("document:console_test#viewer@user:alice[");
    await page.getByRole("button", { name: "Write" }).click();
    await page
      .getByRole("alert")
      .getByText("relationship: expected a caveat name after '[' at column 41, found end of input")
      .waitFor();

    await page.getByLabel("New relationship").fill("document:console_test#viewer@user:alice");
    await page.getByRole("button", { name: "Write" }).click();
    const row = page
      .getByRole("row")
      .filter({ hasText: "document:console_test#viewer@user:alice" });
    await row.waitFor();
    await screenshot(page, "relationships");
    await expect(
      latch(server, ["check", "document:console_test#view@user:alice"]),
    ).resolves.toMatch(/^allowed/);

    await row
      .getByRole("button", { name: "Delete document:console_test#viewer@user:alice" })
      .click();
    await row.getByRole("button", { name: "Yes, delete" }).click();
    await page.getByText("No relationship matches.").waitFor();
  });

  it("answers a check in the playground from the URL, with its legs and proof", async () => {
    const question = new URLSearchParams({
      resource: "document:review",
      permission: "view",
      subject: "user:eng_manager",
      actors: "agent:assistant",
    });
    await page.goto(`${server.consoleUrl}/playground?${question}`);
    const answer = page.locator(".check-answer");
    await answer.getByText("Denied by agent:assistant: no permission.").waitFor();
    await expect(answer.locator("ol").textContent()).resolves.toMatch(
      /permission of user:eng_manager:\s*allowed.*permission of agent:assistant:\s*denied/,
    );
    await screenshot(page, "playground");

    await page.getByLabel("Context (JSON)").fill("{oops");
    await page.getByRole("button", { name: "Check", exact: true }).click();
    await page
      .getByRole("alert")
      .getByText(/^context: not JSON/)
      .waitFor();
  });

  it("can be used with the keyboard alone", async () => {
    await page.goto(`${server.consoleUrl}/decisions`);
    await page.getByRole("heading", { name: "Decisions" }).waitFor();
    await page.keyboard.press("Tab");
    await expect(page.evaluate("document.activeElement.textContent")).resolves.toBe(
      "Skip to the page",
    );
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    await expect(page.evaluate("document.activeElement.textContent")).resolves.toBe("Decisions");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/console\/agents$/);
    await page.getByRole("heading", { name: "Agents" }).waitFor();
  });

  it("fits a phone's width: nothing but wide tables scrolls sideways", async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    try {
      for (const path of [
        "decisions?result=denied",
        "agents",
        "alerts",
        "requests",
        "schema",
        "playground",
      ]) {
        await phone.goto(`${server.consoleUrl}/${path}`);
        await phone.getByRole("heading", { level: 1 }).waitFor();
        await expect(
          phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth"),
          path,
        ).resolves.toBe(true);
      }
      await screenshot(phone, "phone");
    } finally {
      await phone.close();
    }
  });

  it("shows times in the viewer's time zone, with UTC on hover", async () => {
    const context = await browser.newContext({ timezoneId: "Asia/Kolkata", locale: "en-US" });
    const viewer = await context.newPage();
    try {
      await viewer.goto(`${server.consoleUrl}/decisions`);
      const time = viewer.locator("table.decisions time").first();
      await time.waitFor();
      const iso = await time.getAttribute("datetime");
      const inKolkata = new Intl.DateTimeFormat("en-US", {
        dateStyle: "medium",
        timeStyle: "medium",
        timeZone: "Asia/Kolkata",
      }).format(new Date(iso ?? ""));
      await expect(time.textContent()).resolves.toBe(inKolkata);
      await expect(time.getAttribute("title")).resolves.toBe(iso);
    } finally {
      await context.close();
    }
  });

  it("has no serious accessibility violation (axe), light or dark, and one heading on every page", async () => {
    for (const path of [
      "live",
      "decisions?result=denied",
      "agents",
      "alerts",
      "requests",
      "relationships",
      "schema",
      "playground?resource=document:review&permission=view&subject=user:eng_manager",
    ]) {
      await page.goto(`${server.consoleUrl}/${path}`);
      await page.getByRole("heading", { level: 1 }).waitFor();
      await page.getByRole("status").filter({ hasText: "Loading" }).waitFor({ state: "detached" });
      await expect(page.getByRole("heading", { level: 1 }).count(), path).resolves.toBe(1);
      // Both colour schemes: the console follows the viewer's, and each has its own contrast.
      for (const colorScheme of ["light", "dark"] as const) {
        await page.emulateMedia({ colorScheme });
        await expect(seriousViolations(page), `${path} (${colorScheme})`).resolves.toEqual([]);
      }
    }
    await page.emulateMedia({ colorScheme: "light" });
    await page.goto(`${server.consoleUrl}/decisions?result=denied`);
    await page.locator("table.decisions tbody a").first().click();
    await page.getByRole("heading", { name: "Actor chain" }).waitFor();
    await expect(seriousViolations(page), "a decision").resolves.toEqual([]);
    await expect(page.getAttribute("html", "lang")).resolves.toBe("en");
  });

  it("shows a schema error at its line and column, and goes to it", async () => {
    await page.goto(`${server.consoleUrl}/schema`);
    const editor = page.getByLabel("Schema", { exact: true });
    await expect(editor.inputValue()).resolves.toContain("definition agent");
    await editor.fill("definition user {}\n\ndefinition document {\n  relation viewer: usr\n}\n");
    await page.getByRole("button", { name: "Save" }).click();
    const errors = page.getByRole("alert");
    await errors.getByRole("button", { name: "line 4, column 20" }).waitFor();
    await expect(errors.textContent()).resolves.toContain("usr");
    await screenshot(page, "schema");
    await errors.getByRole("button", { name: "line 4, column 20" }).click();
    await expect(
      editor.evaluate((field: { selectionStart: number }) => field.selectionStart),
    ).resolves.toBe("definition user {}\n\ndefinition document {\n  relation viewer: ".length);
    // Nothing was saved: the server's schema still has its agents.
    await expect(latch(server, ["schema", "read"])).resolves.toContain("definition agent");
  });
});

describe.skipIf(missing !== undefined)("the console with API keys", () => {
  const ADMIN = "lt_console_admin_secret";
  const READER = "lt_console_reader_secret";
  const CHECKER = "lt_console_checker_secret";
  let server: ConsoleServer;
  let page: Page;
  const apiCalls: { path: string; authorization: string | undefined }[] = [];

  beforeAll(async () => {
    server = await serveConsole({
      LATCH_API_KEYS: [
        `admin:${hashApiKey(ADMIN)}:admin`,
        `reader:${hashApiKey(READER)}:read`,
        `checker:${hashApiKey(CHECKER)}:check+read`,
      ].join(","),
    });
    await latch(server, ["import", "schema/agent.yaml"], ADMIN);
    // A page of its own context: axe opens another page in it to gather its results.
    page = await (await browser.newContext()).newPage();
    page.on("request", (request) => {
      const path = new URL(request.url()).pathname;
      if (path.startsWith("/latch.v1.")) {
        apiCalls.push({ path, authorization: request.headers().authorization });
      }
    });
  });

  afterAll(async () => {
    await page?.context().close();
    await server?.stop();
  });

  it("shows only the sign-in without a key, and refuses a key the server does not know", async () => {
    await page.goto(`${server.consoleUrl}/decisions`);
    await page.getByLabel("API key").waitFor();
    await expect(page.getByRole("navigation").count()).resolves.toBe(0);
    await screenshot(page, "sign-in");
    await expect(seriousViolations(page), "sign-in").resolves.toEqual([]);
    await page.getByLabel("API key").fill("not-a-key");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("The server does not know this API key.").waitFor();
  });

  it("signs in with a key, sends it on every call, and says what the key may not do", async () => {
    await page.getByLabel("API key").fill(READER);
    apiCalls.length = 0;
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Decisions" }).waitFor();
    await page
      .getByText("Your API key may not do this. API key reader lacks the scope 'audit'")
      .waitFor();
    expect(apiCalls.length).toBeGreaterThan(0);
    expect(apiCalls.filter((call) => call.authorization !== `Bearer ${READER}`)).toEqual([]);

    // The key lasts as long as the tab's session: a reload keeps it; signing out forgets it.
    await page.reload();
    await page.getByRole("heading", { name: "Decisions" }).waitFor();
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByLabel("API key").waitFor();
    await expect(page.evaluate("sessionStorage.length")).resolves.toBe(0);

    await page.getByLabel("API key").fill(ADMIN);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("No decision matches.").waitFor();
  });
  it("offers a key only the pages and actions its scopes allow", async () => {
    const own = await (await browser.newContext()).newPage();
    const nav = own.getByRole("navigation", { name: "Pages" });
    const link = (name: string) => nav.getByRole("link", { name, exact: true });
    const signIn = async (key: string) => {
      await own.goto(`${server.consoleUrl}/`);
      await own.getByLabel("API key").fill(key);
      await own.getByRole("button", { name: "Sign in" }).click();
      await link("Relationships").waitFor();
    };
    const relationships = `${server.consoleUrl}/relationships?filter=document:design`;
    const rows = own
      .getByRole("row")
      .filter({ hasText: "document:design#parent@folder:eng_notes" });

    // check and read: no decision log, no alerts, no changes; the checks and the reads work.
    await signIn(CHECKER);
    await own.getByRole("heading", { name: "Agents" }).waitFor();
    for (const hidden of ["Decisions", "Live", "Alerts"]) {
      await expect(link(hidden).count(), hidden).resolves.toBe(0);
    }
    for (const shown of ["Agents", "Access requests", "Schema", "Playground"]) {
      await expect(link(shown).count(), shown).resolves.toBe(1);
    }
    const question = new URLSearchParams({
      resource: "document:review",
      permission: "view",
      subject: "user:eng_manager",
      actors: "agent:assistant",
    });
    await own.goto(`${server.consoleUrl}/playground?${question}`);
    await own.getByText("Denied by agent:assistant: no permission.").waitFor();
    await own.goto(relationships);
    await rows.waitFor();
    await own.getByText("Writing or deleting a relationship needs the scope write").waitFor();
    await expect(own.getByLabel("New relationship").count()).resolves.toBe(0);
    await expect(own.getByRole("button", { name: /^Delete / }).count()).resolves.toBe(0);
    await expect(seriousViolations(own), "scoped relationships").resolves.toEqual([]);

    // admin: every page, and the changes.
    await own.getByRole("button", { name: "Sign out" }).click();
    await signIn(ADMIN);
    await own.getByRole("heading", { name: "Decisions" }).waitFor();
    for (const shown of ["Decisions", "Live", "Alerts", "Playground"]) {
      await expect(link(shown).count(), shown).resolves.toBe(1);
    }
    await own.goto(relationships);
    await rows.waitFor();
    await expect(own.getByLabel("New relationship").count()).resolves.toBe(1);
    await expect(
      rows.getByRole("button", { name: "Delete document:design#parent@folder:eng_notes" }).count(),
    ).resolves.toBe(1);
    await own.context().close();
  });
});
