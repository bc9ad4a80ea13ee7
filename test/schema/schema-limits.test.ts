// Hostile schemas: nesting, size and error-count limits, word for word, and shapes as long as the
// schema itself (unions, chains, comments) that must load without exhausting the stack.

import { describe, expect, it } from "vitest";
import { formatDiagnostic } from "../../src/schema/diagnostic.js";
import { loadSchema } from "../../src/schema/load-schema.js";
import { parseSchema } from "../../src/schema/parser.js";

const DEPTH_MESSAGE =
  "the expression nests more than 100 levels deep (parentheses, and operators applied to other operators' results); split it into several permissions";

/** HEAD opens a definition with two relations; line 5 is where a permission written after it starts. */
const HEAD = "definition user {}\ndefinition doc {\n\trelation aaa: user\n\trelation bbb: user\n";

function errorsOf(text: string): string[] {
  const loaded = loadSchema(text);
  return loaded.ok ? [] : loaded.diagnostics.map((d) => formatDiagnostic("s.zed", d));
}

/** chain joins count terms alternating `aaa` and `bbb` with operator. */
function chain(count: number, operator: string): string {
  return Array.from({ length: count }, (_, i) => (i % 2 === 0 ? "aaa" : "bbb")).join(operator);
}

describe("expression nesting", () => {
  it("accepts 100 levels of parentheses and refuses the 101st, where it opens", () => {
    const nested = (depth: number) => `${"(".repeat(depth)}aaa${")".repeat(depth)}`;
    expect(errorsOf(`${HEAD}\tpermission view = ${nested(100)}\n}\n`)).toEqual([]);
    // `\tpermission view = ` is 19 columns: the first '(' is at column 20, the 101st at 120.
    expect(errorsOf(`${HEAD}\tpermission view = ${nested(101)}\n}\n`)).toEqual([
      `s.zed:5:120: ${DEPTH_MESSAGE}`,
    ]);
  });

  it("refuses 100,000 nested parentheses, then goes on to the next permission", () => {
    const text = `${HEAD}\tpermission view = ${"(".repeat(100_000)}aaa${")".repeat(100_000)}\n\tpermission edit = ccc\n}\n`;
    expect(errorsOf(text)).toEqual([
      `s.zed:5:120: ${DEPTH_MESSAGE}`,
      "s.zed:6:20: definition 'doc' has no relation or permission 'ccc'",
    ]);
  });

  it("counts each operator of an exclusion chain as a level: 101 terms load, 102 do not", () => {
    expect(errorsOf(`${HEAD}\tpermission view = ${chain(101, " - ")}\n}\n`)).toEqual([]);
    // The 101st '-' follows 101 terms of 3 characters and 100 separators of 3: column 20 + 603.
    expect(errorsOf(`${HEAD}\tpermission view = ${chain(102, " - ")}\n}\n`)).toEqual([
      `s.zed:5:624: ${DEPTH_MESSAGE}`,
    ]);
  });

  it("refuses a 20,000-term exclusion chain at its 101st operator", () => {
    expect(errorsOf(`${HEAD}\tpermission view = ${chain(20_000, " - ")}\n}\n`)).toEqual([
      `s.zed:5:624: ${DEPTH_MESSAGE}`,
    ]);
  });

  it("counts operators applied to other operators' results across lines", () => {
    // ((aaa - bbb) - aaa) - ... written one operator per line, with parentheses around nothing new.
    const lines = Array.from({ length: 101 }, () => "\t\t- aaa").join("\n");
    expect(errorsOf(`${HEAD}\tpermission view = (bbb\n${lines}\n\t)\n}\n`)).toEqual([
      `s.zed:106:3: ${DEPTH_MESSAGE}`,
    ]);
  });
});

describe("schemas as long as they are allowed to be", () => {
  it("loads 30,000-term unions and intersections as one flat operator each", () => {
    const text = `${HEAD}\tpermission view = ${chain(30_000, " + ")}\n\tpermission both = ${chain(30_000, " & ")}\n}\n`;
    const parsed = parseSchema(text);
    expect(parsed.diagnostics).toEqual([]);
    const definition = parsed.ast.items[1];
    const shapes =
      definition?.kind === "definition"
        ? definition.members.map((m) =>
            m.kind === "permission" && "operands" in m.expression
              ? `${m.expression.kind} of ${m.expression.operands.length}`
              : m.kind,
          )
        : [];
    expect(shapes).toEqual(["relation", "relation", "union of 30000", "intersection of 30000"]);
    expect(errorsOf(text)).toEqual([]);
  });

  it("checks a chain of 20,000 permissions, each using the next, without exhausting the stack", () => {
    const permissions = Array.from(
      { length: 20_000 },
      (_, i) => `\tpermission p${String(i).padStart(5, "0")} = p${String(i + 1).padStart(5, "0")}`,
    );
    const last = "\tpermission p20000 = aaa";
    expect(errorsOf(`${HEAD}${permissions.join("\n")}\n${last}\n}\n`)).toEqual([]);
    const looped = `${HEAD}${permissions.join("\n")}\n\tpermission p20000 = p00000\n}\n`;
    expect(errorsOf(looped)).toEqual([
      "s.zed:20005:22: permission 'doc#p20000' refers back to itself through 'p00000' with no relation in between, so it can never be computed; go through a relation (an arrow or a subject set) or remove the reference",
    ]);
  });

  it("checks 10,000 definitions chained by subject sets, and finds the wildcard at the far end", () => {
    const name = (i: number) => `d${String(i).padStart(5, "0")}`;
    const definitions = Array.from(
      { length: 10_000 },
      (_, i) => `definition ${name(i)} {\n\trelation member: user | ${name(i + 1)}#member\n}`,
    );
    const end = "definition d10000 {\n\trelation member: user\n}";
    expect(errorsOf(`definition user {}\n${definitions.join("\n")}\n${end}\n`)).toEqual([]);
    const wildcard = "definition d10000 {\n\trelation member: user:*\n}";
    const errors = errorsOf(`definition user {}\n${definitions.join("\n")}\n${wildcard}\n`);
    expect(errors[0]).toBe(
      "s.zed:3:33: 'd00001#member' includes the wildcard 'user:*', which a subject set cannot carry into another definition (SpiceDB rejects it too); admit 'user:*' here directly, or use a set without the wildcard",
    );
  });

  it("keeps 20,000 comment lines before a definition as its comments", () => {
    const comments = Array.from({ length: 20_000 }, (_, i) => `// line ${i}`).join("\n");
    const parsed = parseSchema(`${comments}\ndefinition user {}\n`);
    expect(parsed.diagnostics).toEqual([]);
    expect(parsed.ast.items[0]?.comments).toHaveLength(20_000);
  });
});

describe("schema size", () => {
  it("refuses text over 4 MiB in UTF-8 bytes, saying where the limit falls, before parsing", () => {
    // 'é' is one UTF-16 unit but two UTF-8 bytes: 2.2 million characters, 4.4 million bytes.
    const comment = `// ${"é".repeat(2_200_000)}\n`;
    const text = `definition user {}\n${comment}definition !!! {}\n`;
    expect(errorsOf(text)).toEqual([
      "s.zed:2:2097145: the schema is 4,400,041 bytes, more than the limit of 4,194,304 bytes (4 MiB); the limit falls here",
    ]);
  });
});

describe("error count", () => {
  it("stops after 100 errors and says so, after the last one reported", () => {
    const references = Array.from({ length: 150 }, (_, i) => `r${String(i).padStart(3, "0")}`);
    const errors = errorsOf(`${HEAD}\tpermission view = ${references.join(" + ")}\n}\n`);
    expect(errors).toHaveLength(101);
    expect(errors[99]).toBe("s.zed:5:713: definition 'doc' has no relation or permission 'r099'");
    expect(errors[100]).toBe(
      "s.zed:5:713: too many errors: checking stopped after 100; fix these and check again",
    );
  });

  it("stops after 100 syntax errors without reading the rest of the text", () => {
    const errors = errorsOf(`${"$".repeat(1_000_000)}\n`);
    expect(errors).toHaveLength(101);
    expect(errors[0]).toBe("s.zed:1:1: unexpected character '$'; remove it");
    expect(errors[100]).toBe(
      "s.zed:1:100: too many errors: checking stopped after 100; fix these and check again",
    );
  });
});

describe("partials", () => {
  const USE = "use partial\ndefinition user {}\n";

  it("takes 100 partials each spreading the next, and refuses the 101st's spread", () => {
    const chainOf = (count: number) =>
      Array.from(
        { length: count },
        (_, i) =>
          `partial p${i} {\n\t${i + 1 < count ? `...p${i + 1}` : "relation aaa: user"}\n}\n`,
      ).join("");
    expect(errorsOf(`${USE}${chainOf(100)}definition doc {\n\t...p0\n}\n`)).toEqual([]);
    const errors = errorsOf(`${USE}${chainOf(20_000)}definition doc {\n\t...p0\n}\n`);
    // p0 spreads p1 on line 4, each partial three lines on: p99's spread of p100 is on line 301.
    expect(errors[0]).toBe(
      "s.zed:301:2: partials spread partials more than 100 levels deep here; spread fewer levels",
    );
  });

  it("refuses partials that double at each level past 1,000,000 members, at the spread that passes it", () => {
    const levels = Array.from(
      { length: 40 },
      (_, i) => `partial p${i + 1} {\n\t...p${i}\n\t...p${i}\n}\n`,
    ).join("");
    const text = `${USE}partial p0 {\n\trelation aaa: user\n}\n${levels}definition doc {\n\t...p40\n}\n`;
    // p19 holds 2^18 members after its first spread (line 79), and its second passes the limit.
    expect(errorsOf(text)).toEqual([
      "s.zed:80:2: spreading partials here makes the schema hold more than 1,000,000 members; spread fewer",
    ]);
  });
});
