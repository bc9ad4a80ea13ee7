// COPY's text format: escaping, and values read back unchanged through COPY on PGlite and Postgres.

import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  COPY_NULL,
  CopyChunks,
  copyField,
  copyRow,
} from "../../../src/store/postgres/copy-text.js";
import { createPgExecutor } from "../../../src/store/postgres/pg-executor.js";
import { createPgliteExecutor } from "../../../src/store/postgres/pglite-executor.js";
import type { SqlExecutor } from "../../../src/store/postgres/sql-executor.js";
import { canonicalJson } from "../../../src/tuple/canonical-json.js";
import { freshPglite } from "./fresh-pglite.js";
import { createTestDatabase, postgresForTests } from "./test-database.js";

/** Values that COPY would misread if written as they are, and some it would not. */
const NASTY = [
  "",
  "plain",
  "tab\there",
  "new\nline",
  "carriage\rreturn\r\n",
  "back\\slash",
  "\\",
  "\\N",
  "\\.",
  "ends with backslash\\",
  "\\t not a tab",
  "quotes \" ' `",
  "unicode: é ß 漢字 👩‍👩‍👧 \u200b \u2028",
  "\u0001\u001f\u007f control",
  '{"json": "with \\"escapes\\" and \\n"}',
];

/** Strings of any code points, the ones COPY treats specially among them often. */
const anyString = fc.string({
  unit: fc.oneof(
    fc.constantFrom("\\", "\t", "\n", "\r", "N", "."),
    fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
  ),
});

describe("copyField", () => {
  it("writes NULL as \\N and escapes backslash, tab, newline and carriage return", () => {
    expect(copyField(null)).toBe(COPY_NULL);
    expect(copyField("")).toBe("");
    expect(copyField("a\tb\nc\rd\\e")).toBe("a\\tb\\nc\\rd\\\\e");
    expect(copyField("\\N")).toBe("\\\\N");
    expect(copyField("\\.")).toBe("\\\\.");
    expect(copyField("unicode: é 漢字 👩‍👩‍👧")).toBe("unicode: é 漢字 👩‍👩‍👧");
  });

  it("never writes a tab, newline or carriage return, nor a backslash that escapes anything else", () => {
    fc.assert(
      fc.property(anyString, (value) => {
        const field = copyField(value);
        expect(field).not.toMatch(/[\t\n\r]/);
        expect(field.replace(/\\[\\tnr]/g, "")).not.toContain("\\");
      }),
    );
  });
});

describe("CopyChunks", () => {
  it("keeps every row whole, in order, in chunks of at most 64 KiB but for a row longer alone", () => {
    const rows = Array.from({ length: 500 }, (_, i) => `${i}\t${"x".repeat((i * 397) % 3000)}\n`);
    rows.push(`${"y".repeat(100_000)}\n`, "last\n");
    const chunks = new CopyChunks();
    for (const row of rows) chunks.add(row);
    const done = chunks.done();
    expect(done.join("")).toBe(rows.join(""));
    expect(done.length).toBeGreaterThan(10);
    for (const chunk of done) {
      expect(chunk.endsWith("\n")).toBe(true);
      if (!chunk.startsWith("y")) expect(chunk.length).toBeLessThanOrEqual(64 * 1024);
    }
  });
});

describe("copyRow", () => {
  it("separates fields by tabs and ends the row with a newline", () => {
    expect(copyRow(["1", null, "a\tb"])).toBe("1\t\\N\ta\\tb\n");
    expect(copyRow([""])).toBe("\n");
  });
});

/** roundTrip copies values, each as text and inside a JSON document, and reads them back. */
async function roundTrip(
  executor: SqlExecutor,
  values: readonly (string | null)[],
): Promise<{ value: unknown; doc: unknown }[]> {
  return executor.transaction(async (tx) => {
    await tx.exec("CREATE TEMP TABLE copied (n int, value text, doc json) ON COMMIT DROP");
    const rows = values.map((value, n) =>
      copyRow([String(n), value, value === null ? null : canonicalJson({ value })]),
    );
    const chunks = new CopyChunks();
    for (const row of rows) chunks.add(row);
    await tx.copyFrom!("copied (n, value, doc)", chunks.done());
    return (await tx.query("SELECT value, doc::text AS doc FROM copied ORDER BY n")).map((row) => ({
      value: row.value,
      doc: row.doc,
    }));
  });
}

function expected(values: readonly (string | null)[]): { value: unknown; doc: unknown }[] {
  return values.map((value) => ({
    value,
    doc: value === null ? null : canonicalJson({ value }),
  }));
}

/** Opened is an executor for a suite, and how to release it and its database afterwards. */
interface Opened {
  readonly executor: SqlExecutor;
  close(): Promise<void>;
}

/** describeRoundTrip runs the round trips on the executor that open gives, for the whole suite. */
function describeRoundTrip(name: string, open: () => Promise<Opened>): void {
  describe(`COPY text on ${name}`, () => {
    let opened: Opened | undefined;
    beforeAll(async () => {
      opened = await open();
    });
    afterAll(() => opened?.close());
    const executor = () => opened!.executor;

    it("reads back every nasty value, NULL and the empty string apart", async () => {
      const values = [...NASTY, null];
      expect(await roundTrip(executor(), values)).toEqual(expected(values));
    });

    it("reads back any string without NUL, as text and inside JSON", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            anyString.filter((value) => !value.includes("\0")),
            { minLength: 1, maxLength: 20 },
          ),
          async (values) => {
            expect(await roundTrip(executor(), values)).toEqual(expected(values));
          },
        ),
        { numRuns: 30 },
      );
    });

    it("rejects data COPY cannot read, and the connection goes on", async () => {
      await expect(
        executor().transaction(async (tx) => {
          await tx.exec("CREATE TEMP TABLE copied (n int) ON COMMIT DROP");
          await tx.copyFrom!("copied (n)", ["1\n", "not a number\n"]);
        }),
      ).rejects.toThrow(/integer/);
      expect(await roundTrip(executor(), ["after"])).toEqual(expected(["after"]));
    });
  });
}

describeRoundTrip("PGlite", async () => {
  const lite = await freshPglite();
  return { executor: createPgliteExecutor(lite), close: () => lite.close() };
});

const serverUrl = await postgresForTests("COPY text on Postgres");
if (serverUrl !== undefined) {
  describeRoundTrip("Postgres", async () => {
    const database = await createTestDatabase(serverUrl);
    // One connection: the statement after a failed COPY runs on the very client that failed.
    const executor = createPgExecutor({ connectionString: database.url, max: 1 });
    return {
      executor,
      close: async () => {
        await executor.close();
        await database.drop();
      },
    };
  });
}
