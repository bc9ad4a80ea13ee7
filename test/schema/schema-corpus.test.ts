// Golden tests over the schema corpus: parse trees, canonical formatting, and acceptance by the checker.

import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatSchema } from "../../src/schema/formatter.js";
import { loadSchema } from "../../src/schema/load-schema.js";
import { parseSchema } from "../../src/schema/parser.js";
import { stripSpans } from "./strip-spans.js";

const fixtures = join(import.meta.dirname, "../fixtures/schemas");
const validDir = join(fixtures, "valid");
const files = readdirSync(validDir)
  .filter((f) => f.endsWith(".zed"))
  .sort();
const examples = ["agent.zed"].map((f) => join(import.meta.dirname, "../../schema", f));

describe("schema corpus", () => {
  it("has at least 40 schemas", () => {
    expect(files.length).toBeGreaterThanOrEqual(40);
  });

  for (const path of [...files.map((f) => join(validDir, f)), ...examples]) {
    const name = basename(path, ".zed");
    const text = readFileSync(path, "utf8");

    it(`${name}: loads with no errors`, () => {
      const result = loadSchema(text);
      expect(
        result.ok
          ? []
          : result.diagnostics.map(
              (d) => `${d.span.start.line}:${d.span.start.column}: ${d.message}`,
            ),
      ).toEqual([]);
    });

    it(`${name}: parse tree matches its golden file`, async () => {
      const tree = JSON.stringify(stripSpans(parseSchema(text).ast), null, 1);
      await expect(tree).toMatchFileSnapshot(join(fixtures, "golden", `${name}.ast.json`));
    });

    it(`${name}: formats to its golden file, and the format is stable`, async () => {
      const formatted = formatSchema(parseSchema(text).ast);
      await expect(formatted).toMatchFileSnapshot(
        join(fixtures, "golden", `${name}.formatted.zed`),
      );
      const reparsed = parseSchema(formatted);
      expect(reparsed.diagnostics).toEqual([]);
      expect(stripSpans(reparsed.ast)).toEqual(stripSpans(parseSchema(text).ast));
      expect(formatSchema(reparsed.ast)).toBe(formatted);
    });
  }
});
