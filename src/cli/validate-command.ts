// `latch validate FILE...`: runs validation files in SpiceDB's format, as `zed validate` does.

import type { Command } from "commander";
import { ConfigError, readMaxDepth } from "../config/server-config.js";
import { validateFile } from "../validation/validate-file.js";
import { formatProblem } from "../validation/validation-problem.js";
import type { CliIo } from "./cli-io.js";
import { addJsonOption, type JsonOption } from "./shared-options.js";

/**
 * addValidateCommand registers `validate`. Problems go to stderr as FILE:LINE:COLUMN: message
 * (with explanations indented below), a summary line per file and a total to stdout; with --json,
 * one line per file, `{"file","assertions","validations","problems":[{"line","column","message","details"}]}`.
 * A file that cannot be read is said on stderr. Exit code: 0 when everything holds, 1 when
 * something failed, 2 when a file could not be read. Checks go as deep as LATCH_MAX_DEPTH allows,
 * as on a server.
 */
export function addValidateCommand(
  program: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
): void {
  addJsonOption(
    program
      .command("validate")
      .description(
        "run validation files (schema, relationships, assertions, expected relations) in SpiceDB's format",
      )
      .argument("<files...>", "validation files (.yaml)"),
  ).action(async (files: string[], options: JsonOption) => {
    let maxDepth: number;
    try {
      maxDepth = readMaxDepth(io.env);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      io.stderr(`${error.message}\n`);
      setExitCode(2);
      return;
    }
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
      const report = await validateFile(source, maxDepth);
      total.assertions += report.assertions;
      total.validations += report.validations;
      total.failed += report.problems.length;
      if (options.json) {
        const { assertions, validations, problems } = report;
        io.stdout(`${JSON.stringify({ file, assertions, validations, problems })}\n`);
        continue;
      }
      for (const problem of report.problems) io.stderr(`${formatProblem(file, problem)}\n`);
      io.stdout(
        `${file}: ${counts(report.assertions, report.validations, report.problems.length)}\n`,
      );
    }
    if (!options.json) {
      const unreadable = total.unreadable > 0 ? `, ${total.unreadable} unreadable` : "";
      const summary = counts(total.assertions, total.validations, total.failed);
      io.stdout(`total: ${plural(files.length, "file")}, ${summary}${unreadable}\n`);
    }
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
