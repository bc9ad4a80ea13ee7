// Runs a README shell example in one bash process and splits its output by step.

import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import type { ExampleStep, ShellExample } from "./example-steps.js";

/** StepOutcome is what one step printed and how it exited; unreached steps have none. */
export interface StepOutcome {
  readonly step: ExampleStep;
  readonly output: readonly string[];
  /** Undefined when the example stopped before this step ended (an `sh` step failed). */
  readonly exitCode?: number;
}

/** Inside examples, `npx latch` is the `latch` on the PATH, as `npx` finds the repository's own bin. */
const NPX_LATCH =
  'npx() { if [ "$1" = latch ]; then shift; latch "$@"; else command npx "$@"; fi; }';

/**
 * runExample runs every step of example, in order, in one bash process (so variables carry from
 * one step to the next) with stdin closed and stderr merged into stdout. An `sh` example stops at
 * the first command that fails (`set -e -o pipefail`); a `console` example runs every step.
 */
export async function runExample(
  example: ShellExample,
  cwd: string,
  env: Readonly<Record<string, string>>,
): Promise<StepOutcome[]> {
  const mark = `readme-step-${randomUUID()}`;
  const script = [
    NPX_LATCH,
    `__step() { printf '\\n${mark} %s\\n' "$1"; }`,
    "exec 2>&1",
    ...(example.style === "sh" ? ["set -e -o pipefail"] : []),
    ...example.steps.flatMap((step) => [step.command, "__step $?"]),
  ].join("\n");
  const printed = await new Promise<string>((resolve, reject) => {
    const child = spawn("bash", ["-c", script], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.once("error", reject);
    child.once("close", () => resolve(out));
  });
  const pieces = printed.split(new RegExp(`\\n${mark} (\\d+)\\n`));
  return example.steps.map((step, index) => {
    const text = pieces[index * 2] ?? "";
    const code = pieces[index * 2 + 1];
    return {
      step,
      output: text === "" ? [] : text.replace(/\n+$/, "").split("\n"),
      ...(code === undefined ? {} : { exitCode: Number(code) }),
    };
  });
}
