// Schema checks in a worker thread: diagnostics as loadSchema gives them, the time bound, the queue.

import { describe, expect, it } from "vitest";
import {
  createSchemaChecks,
  MAX_WAITING_CHECKS,
  SchemaCheckLimitError,
} from "../../src/api/schema-checks.js";
import { loadSchema } from "../../src/schema/load-schema.js";

const BROKEN = "definition user {}\ndefinition doc {\n\trelation viewer: usr\n}\n";

/** large is a valid schema of about a megabyte: no machine checks it within a millisecond. */
function large(): string {
  const terms = Array.from({ length: 150_000 }, (_, i) => (i % 2 === 0 ? "aaa" : "bbb"));
  return `definition user {}\ndefinition doc {\n\trelation aaa: user\n\trelation bbb: user\n\tpermission view = ${terms.join(" + ")}\n}\n`;
}

describe("schema checks", () => {
  it("give the diagnostics loadSchema gives, and none for a schema that loads", async () => {
    const checks = createSchemaChecks();
    const loaded = loadSchema(BROKEN);
    expect(await checks.check(BROKEN)).toEqual(loaded.ok ? [] : loaded.diagnostics);
    expect(await checks.check("definition user {}\n")).toEqual([]);
  });

  it("stop a check past the time limit, and start a fresh worker for the next", async () => {
    const checks = createSchemaChecks({ timeLimitMs: 1 });
    const text = large();
    const refused =
      "schema: checking it took more than 0.001 s, the limit; make the schema smaller or simpler";
    await expect(checks.check(text)).rejects.toThrow(new SchemaCheckLimitError(refused));
    await expect(checks.check(text)).rejects.toThrow(new SchemaCheckLimitError(refused));
  });

  it(`queue at most ${MAX_WAITING_CHECKS} checks behind the one running`, async () => {
    const checks = createSchemaChecks();
    const calls = Array.from({ length: MAX_WAITING_CHECKS + 2 }, () =>
      checks.check(BROKEN).then(
        () => "checked",
        (error: Error) => error.message,
      ),
    );
    const outcomes = await Promise.all(calls);
    expect(outcomes.slice(0, MAX_WAITING_CHECKS + 1)).toEqual(
      Array(MAX_WAITING_CHECKS + 1).fill("checked"),
    );
    expect(outcomes.at(-1)).toBe(
      `schema: ${MAX_WAITING_CHECKS} schema checks are waiting already; retry later`,
    );
  });
});
