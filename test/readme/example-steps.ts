// A README shell example as steps to run: each a command and, where the README shows it, its output.

import type { ReadmeBlock } from "./readme-blocks.js";

/** ExampleStep is one command of an example and what it must print. */
export interface ExampleStep {
  /** The README line where the command starts. */
  readonly line: number;
  /** Shell text: one command, or for `sh` every line up to the next shown result. */
  readonly command: string;
  /** The lines it must print (stdout and stderr together); undefined when the README shows none. */
  readonly expected?: readonly string[];
}

/**
 * ShellExample is a block to run. In a `console` example every command's output is compared and
 * its exit status is free (a denied `latch check` exits 1 and says so); in an `sh` example every
 * step must exit 0, and its output is compared when `# ` result lines follow it directly.
 */
export interface ShellExample {
  readonly style: "console" | "sh";
  readonly steps: readonly ExampleStep[];
}

const PROMPT = "$ ";
const COMMENT = /^\s*#/;
/** A here-document's start, `<<EOF`, `<<-'EOF'`, ...; `<<<` (a here-string) is not one. */
const HEREDOC = /(?<!<)<<(?!<)(-?)\s*(['"]?)([A-Za-z_]\w*)\2/g;

/**
 * shellExample reads a block as a shell example: `sh` and `console` blocks, and `text` blocks
 * with `$ ` prompts (read as console). Other blocks are not shell examples: undefined.
 */
export function shellExample(block: ReadmeBlock): ShellExample | undefined {
  const prompted = block.lines.some((line) => line.startsWith(PROMPT));
  if (block.language === "console" || (block.language === "text" && prompted)) {
    return { style: "console", steps: consoleSteps(block) };
  }
  if (block.language === "sh") return { style: "sh", steps: shSteps(block) };
  return undefined;
}

/** consoleSteps: each `$ ` line is a command; the lines after it, up to the next, its output. */
function consoleSteps(block: ReadmeBlock): ExampleStep[] {
  const steps: { line: number; command: string; expected: string[] }[] = [];
  let index = 0;
  while (index < block.lines.length) {
    const text = block.lines[index] ?? "";
    if (text.startsWith(PROMPT)) {
      const end = commandEnd(block.lines, index);
      const command = [text.slice(PROMPT.length), ...block.lines.slice(index + 1, end)];
      steps.push({ line: block.line + 1 + index, command: command.join("\n"), expected: [] });
      index = end;
      continue;
    }
    const step = steps.at(-1);
    if (step === undefined) {
      throw new Error(`line ${block.line + 1 + index}: output before the first '$ ' command`);
    }
    step.expected.push(text);
    index++;
  }
  return steps.map((step) => ({ ...step, expected: withoutTrailingBlanks(step.expected) }));
}

/**
 * shSteps: code lines run together until `# ` lines follow them directly; those are the output
 * of the code before them. A comment after a blank line, or at the start, only explains.
 */
function shSteps(block: ReadmeBlock): ExampleStep[] {
  const steps: { line: number; code: string[]; expected?: string[] }[] = [];
  let afterCode = false;
  let index = 0;
  while (index < block.lines.length) {
    const text = block.lines[index] ?? "";
    const current = steps.at(-1);
    if (text.trim() === "") {
      afterCode = false;
      index++;
    } else if (COMMENT.test(text)) {
      if (afterCode && current !== undefined) {
        current.expected = [...(current.expected ?? []), text.replace(/^\s*# ?/, "")];
      }
      index++;
    } else {
      const end = commandEnd(block.lines, index);
      const lines = block.lines.slice(index, end);
      if (current === undefined || current.expected !== undefined) {
        steps.push({ line: block.line + 1 + index, code: lines });
      } else {
        current.code.push(...lines);
      }
      afterCode = true;
      index = end;
    }
  }
  return steps.map(({ line, code, expected }) => ({
    line,
    command: code.join("\n"),
    ...(expected === undefined ? {} : { expected }),
  }));
}

/** commandEnd returns the index after the command starting at start: its `\` continuations and here-documents. */
function commandEnd(lines: readonly string[], start: number): number {
  let index = start;
  let text = lines[index] ?? "";
  for (;;) {
    index++;
    for (const [, dash, , word] of text.matchAll(HEREDOC)) {
      while (index < lines.length && (dash ? lines[index]?.trimStart() : lines[index]) !== word) {
        index++;
      }
      index++;
    }
    if (!text.endsWith("\\") || index >= lines.length) return Math.min(index, lines.length);
    text = lines[index] ?? "";
  }
}

function withoutTrailingBlanks(lines: readonly string[]): string[] {
  let end = lines.length;
  while (end > 0 && lines[end - 1]?.trim() === "") end--;
  return lines.slice(0, end);
}
