// The README test's own parts: finding blocks and markers, splitting examples into steps, and
// matching output with placeholders.

import { describe, expect, it } from "vitest";
import { shellExample } from "./example-steps.js";
import { outputMatches } from "./expected-output.js";
import { readmeBlocks } from "./readme-blocks.js";

const FENCE = "```";

describe("readmeBlocks", () => {
  it("returns each block with its language, line and marker, without the fence's indentation", () => {
    const markdown = [
      "# Title",
      `${FENCE}sh`,
      "echo one",
      FENCE,
      "<!-- not run: needs Docker -->",
      "",
      `${FENCE}console`,
      "$ docker compose up",
      FENCE,
      "- a list item:",
      "",
      `  ${FENCE}text`,
      "  indented",
      `  ${FENCE}`,
    ].join("\n");
    expect(readmeBlocks(markdown)).toEqual([
      { language: "sh", line: 2, lines: ["echo one"] },
      { language: "console", line: 7, lines: ["$ docker compose up"], notRun: "needs Docker" },
      { language: "text", line: 12, lines: ["indented"] },
    ]);
  });

  it("refuses a marker that no block follows", () => {
    expect(() => readmeBlocks("<!-- not run: gone -->\nSome text.\n")).toThrow(
      "line 1: a marker that no block follows",
    );
    expect(() => readmeBlocks("text\n<!-- not run: gone -->\n")).toThrow(
      "line 2: a marker that no block follows",
    );
  });
});

describe("shellExample", () => {
  it("reads a console block: commands with continuations and here-documents, then their output", () => {
    const example = shellExample({
      language: "console",
      line: 10,
      lines: [
        "$ cat > a.txt <<'EOF'",
        "$ not a prompt inside the here-document",
        "EOF",
        "$ latch check \\",
        "    document:plan#view@user:alice",
        "allowed (token lt1_...)",
        "",
      ],
    });
    expect(example).toEqual({
      style: "console",
      steps: [
        {
          line: 11,
          command: "cat > a.txt <<'EOF'\n$ not a prompt inside the here-document\nEOF",
          expected: [],
        },
        {
          line: 14,
          command: "latch check \\\n    document:plan#view@user:alice",
          expected: ["allowed (token lt1_...)"],
        },
      ],
    });
  });

  it("reads an sh block: code up to the '# ' lines right after it, which are its output", () => {
    const example = shellExample({
      language: "sh",
      line: 1,
      lines: [
        "# explains, not compared",
        "a=1",
        "echo $a",
        "# 1",
        "",
        "# explains again",
        "echo two",
        "echo three   # a comment on the line",
      ],
    });
    expect(example).toEqual({
      style: "sh",
      steps: [
        { line: 3, command: "a=1\necho $a", expected: ["1"] },
        { line: 8, command: "echo two\necho three   # a comment on the line" },
      ],
    });
  });

  it("reads text blocks with '$ ' prompts as console, and leaves other blocks out", () => {
    expect(shellExample({ language: "text", line: 1, lines: ["$ latch --help"] })?.style).toBe(
      "console",
    );
    expect(shellExample({ language: "text", line: 1, lines: ["latch serve"] })).toBeUndefined();
    expect(shellExample({ language: "zed", line: 1, lines: ["definition user {}"] })).toBe(
      undefined,
    );
  });

  it("refuses console output before the first command", () => {
    expect(() => shellExample({ language: "console", line: 4, lines: ["orphan"] })).toThrow(
      "line 5: output before the first '$ ' command",
    );
  });
});

describe("outputMatches", () => {
  it("takes '...' in a line for any text, and a line of '...' for any lines", () => {
    expect(outputMatches(["allowed (token lt1_AbC)"], ["allowed (token lt1_...)"])).toBe(true);
    expect(outputMatches(["denied (token lt1_AbC)"], ["allowed (token lt1_...)"])).toBe(false);
    expect(outputMatches(["a", "b", "c", "total"], ["a", "...", "total"])).toBe(true);
    expect(outputMatches(["a", "total"], ["a", "...", "total"])).toBe(true);
    expect(outputMatches(["a", "b"], ["a"])).toBe(false);
    expect(outputMatches(["x+y(z)"], ["x+y(z)"])).toBe(true);
    expect(outputMatches([], [])).toBe(true);
  });
});
