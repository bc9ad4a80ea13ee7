// The `latch` command: builds the command tree and runs it.

import { Command, CommanderError } from "commander";
import type { CliIo } from "./cli-io.js";
import { addMigrateCommand } from "./migrate-command.js";
import { addSchemaCommands } from "./schema-command.js";
import { addValidateCommand } from "./validate-command.js";

/** runCli runs the latch command line with argv (without node and script) and returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode = 0;
  const program = new Command("latch")
    .description("Latch: relationship-based authorization for services and AI agents")
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError();
  const setExitCode = (code: number) => {
    exitCode = code;
  };
  addSchemaCommands(program, io, setExitCode);
  addValidateCommand(program, io, setExitCode);
  addMigrateCommand(program, io, setExitCode);
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    throw error;
  }
  return exitCode;
}
