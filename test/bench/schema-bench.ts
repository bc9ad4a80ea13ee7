// Benchmark: lexing, parsing and loading (type-check + compile) a generated 2,000-line schema.
// Prints a table of medians and ratios against a floor measured in the same run: one pass over
// the text that splits and trims its lines, the least any parser must do. Then hostile shapes,
// and the largest schemas the size limit allows: what one schema check can cost.

import { lex } from "../../src/schema/lexer.js";
import { loadSchema } from "../../src/schema/load-schema.js";
import { parseSchema } from "../../src/schema/parser.js";
import { MAX_SCHEMA_BYTES } from "../../src/schema/schema-limits.js";

/** generateSchema builds a realistic schema of about `lines` lines: folders, documents, groups, caveats. */
function generateSchema(lines: number): string {
  const parts = ["use expiration", "", "definition user {}", ""];
  parts.push(
    "caveat in_hours(now timestamp) {",
    "\tnow.getHours() >= 9 && now.getHours() < 17",
    "}",
    "",
  );
  let i = 0;
  while (parts.length < lines) {
    parts.push(
      `/** Group ${i}. */`,
      `definition group_${i} {`,
      `\trelation member: user | group_${i}#member`,
      "\tpermission membership = member",
      "}",
      "",
      `definition folder_${i} {`,
      `\trelation parent: folder_${i}`,
      `\trelation viewer: user | group_${i}#member | user with in_hours | user with expiration`,
      "\trelation editor: user",
      "\tpermission edit = editor + parent->edit",
      "\tpermission view = viewer + edit + parent->view",
      "}",
      "",
      `definition document_${i} {`,
      `\trelation parent: folder_${i}`,
      "\trelation viewer: user | user:*",
      "\trelation banned: user",
      "\tpermission view = (viewer + parent->view) - banned",
      "\tpermission edit = parent.all(edit) & viewer",
      "}",
      "",
    );
    i++;
  }
  return parts.join("\n");
}

function measure(run: () => unknown, iterations: number): number {
  for (let i = 0; i < Math.min(5, iterations); i++) run();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = process.hrtime.bigint();
    run();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

const text = generateSchema(2000);
const lineCount = text.split("\n").length;
const loaded = loadSchema(text);
if (!loaded.ok) throw new Error(`generated schema is invalid: ${loaded.diagnostics[0]?.message}`);

const iterations = 50;
const floor = measure(() => text.split("\n").map((line) => line.trim()), iterations);
const rows = [
  ["floor: split and trim lines", floor],
  ["lex", measure(() => lex(text), iterations)],
  ["parse (lex + syntax tree)", measure(() => parseSchema(text), iterations)],
  ["load (parse + type-check + CEL + compile)", measure(() => loadSchema(text), iterations)],
] as const;

/** permission writes a small schema whose one permission is expression, over `aaa` and `bbb`. */
function permission(expression: string): string {
  return `definition user {}\ndefinition doc {\n\trelation aaa: user\n\trelation bbb: user\n\tpermission view = ${expression}\n}\n`;
}

/** terms joins count relation names with operator. */
function terms(count: number, operator: string): string {
  return Array.from({ length: count }, (_, i) => (i % 2 === 0 ? "aaa" : "bbb")).join(operator);
}

const nearLimit = MAX_SCHEMA_BYTES - 64 * 1024;
const hostile: [string, string, number][] = [
  ["union of 20,000 terms", permission(terms(20_000, " + ")), 10],
  ["union of 30,000 terms", permission(terms(30_000, " + ")), 10],
  ["exclusion chain of 20,000 terms (refused)", permission(terms(20_000, " - ")), 10],
  [
    "100,000 nested parentheses (refused)",
    permission(`${"(".repeat(100_000)}aaa${")".repeat(100_000)}`),
    10,
  ],
  ["union at the size limit", permission(terms(Math.floor(nearLimit / 6), " + ")), 3],
  [
    "generated schema at the size limit",
    generateSchema(Math.floor((1900 * nearLimit) / text.length)),
    3,
  ],
];
const hostileRows = hostile.map(([name, schema, runs]) => {
  const outcome = loadSchema(schema);
  return {
    name,
    bytes: Buffer.byteLength(schema),
    median_ms: measure(() => loadSchema(schema), runs),
    outcome: outcome.ok ? "loads" : outcome.diagnostics[0]!.code,
  };
});

const json = process.argv.includes("--json");
if (json) {
  console.log(
    JSON.stringify({
      lines: lineCount,
      results: rows.map(([name, ms]) => ({ name, median_ms: ms, ratio: ms / floor })),
      hostile: hostileRows,
    }),
  );
} else {
  console.log(
    `schema of ${lineCount} lines, ${loaded.schema.definitions.size} definitions; median of ${iterations} runs\n`,
  );
  console.log("| step | median ms | × floor |");
  console.log("|---|---:|---:|");
  for (const [name, ms] of rows)
    console.log(`| ${name} | ${ms.toFixed(2)} | ${(ms / floor).toFixed(1)} |`);
  console.log("\nhostile and largest schemas: load (parse + type-check + compile), median\n");
  console.log("| schema | KiB | median ms | µs per KiB | outcome |");
  console.log("|---|---:|---:|---:|---|");
  for (const row of hostileRows) {
    const kib = row.bytes / 1024;
    console.log(
      `| ${row.name} | ${kib.toFixed(0)} | ${row.median_ms.toFixed(1)} | ${((row.median_ms * 1000) / kib).toFixed(0)} | ${row.outcome} |`,
    );
  }
}
