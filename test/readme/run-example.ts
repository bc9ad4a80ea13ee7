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

/** How long one example may run: a command that never ends (a `watch`) is killed, and fails. */
const EXAMPLE_DEADLINE_MS = 300_000;

/** Inside examples, `npx latch` is the `latch` on the PATH, as `npx` finds the repository's own bin. */
const NPX_LATCH =
  'npx() { if [ "$1" = latch ]; then shift; latch "$@"; else command npx "$@"; fi; }';

/**
 * runExample runs every step of example, in order, in one bash process (so variables carry from
 * one step to the next) with stdin closed and stderr merged into stdout. An `sh` example stops at
 * the first command that fails (`set -e -o pipefail`); a `console` example runs every step. After
 * {@link EXAMPLE_DEADLINE_MS} the example and every process it started are killed.
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
    let out = "";
    // detached: bash leads a process group of its own, so the deadline can kill all of it.
    const child = spawn("bash", ["-c", script], {
      cwd,
      env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const deadline = setTimeout(() => {
      out += `\n(killed after ${EXAMPLE_DEADLINE_MS / 1000} s)`;
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    }, EXAMPLE_DEADLINE_MS);
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.once("error", reject);
    child.once("close", () => {
      clearTimeout(deadline);
      resolve(out);
    });
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
