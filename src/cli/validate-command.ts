// `latch validate FILE...`: runs validation files in SpiceDB's format, as `zed validate` does.

import type { Command } from "commander";
import { validateFile } from "../validation/validate-file.js";
import { formatProblem } from "../validation/validation-problem.js";
import type { CliIo } from "./cli-io.js";

/**
 * addValidateCommand registers `validate`. Problems go to stderr as FILE:LINE:COLUMN: message
 * (with explanations indented below), a summary line per file and a total to stdout. Exit code:
 * 0 when everything holds, 1 when something failed, 2 when a file could not be read.
 */
export function addValidateCommand(
  program: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
): void {
  program
    .command("validate")
    .description(
      "run validation files (schema, relationships, assertions, expected relations) in SpiceDB's format",
    )
    .argument("<files...>", "validation files (.yaml)")
    .action(async (files: string[]) => {
      const total = { assertions: 0, validations: 0, failed: 0, unreadable: 0 };
      for (const file of files) {
        let source: string;
        try {
          source = await io.readFile(file);
        } catch (error) {
          io.stderr(`${file}: cannot read: ${(error as Error).message}\n`);
          total.unreadable++;
          continue;
        }
        const report = await validateFile(source);
        for (const problem of report.problems) io.stderr(`${formatProblem(file, problem)}\n`);
        total.assertions += report.assertions;
        total.validations += report.validations;
        total.failed += report.problems.length;
        io.stdout(
          `${file}: ${counts(report.assertions, report.validations, report.problems.length)}\n`,
        );
      }
      const unreadable = total.unreadable > 0 ? `, ${total.unreadable} unreadable` : "";
      const summary = counts(total.assertions, total.validations, total.failed);
      io.stdout(`total: ${plural(files.length, "file")}, ${summary}${unreadable}\n`);
      setExitCode(total.unreadable > 0 ? 2 : total.failed > 0 ? 1 : 0);
    });
}

function counts(assertions: number, validations: number, failed: number): string {
  const outcome = failed === 0 ? "ok" : `${failed} failed`;
  return `${plural(assertions, "assertion")}, ${plural(validations, "validation")}, ${outcome}`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
