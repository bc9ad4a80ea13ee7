// Benchmark: lexing, parsing and loading (type-check + compile) a generated 2,000-line schema.
// Prints a table of medians and ratios against a floor measured in the same run: one pass over
// the text that splits and trims its lines, the least any parser must do.

import { lex } from "../../src/schema/lexer.js";
import { loadSchema } from "../../src/schema/load-schema.js";
import { parseSchema } from "../../src/schema/parser.js";

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
  for (let i = 0; i < 5; i++) run();
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

const json = process.argv.includes("--json");
if (json) {
  console.log(
    JSON.stringify({
      lines: lineCount,
      results: rows.map(([name, ms]) => ({ name, median_ms: ms, ratio: ms / floor })),
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
}
