// The `latch` command: builds the command tree and runs it.

import { Command, CommanderError } from "commander";
import { addAccessCommands } from "./access-commands.js";
import { addAgentCommands } from "./agent-commands.js";
import { addAlertsCommands } from "./alerts-commands.js";
import { EXIT_USAGE_OR_SERVER_ERROR } from "./call-server.js";
import { addCheckCommand } from "./check-command.js";
import type { CliIo } from "./cli-io.js";
import { addDecisionsCommands } from "./decisions-command.js";
import { addExpandCommand } from "./expand-command.js";
import { addImportExportCommands } from "./import-export-commands.js";
import { addKeyCommands } from "./key-command.js";
import { addLookupCommands } from "./lookup-command.js";
import { addMcpGatewayCommand } from "./mcp-gateway-command.js";
import { addMigrateCommand } from "./migrate-command.js";
import { packageVersion } from "./package-version.js";
import { addRelCommands } from "./rel-command.js";
import { addSchemaCommands } from "./schema-command.js";
import { addSchemaServerCommands } from "./schema-server-commands.js";
import { addServeCommand } from "./serve-command.js";
import { addValidateCommand } from "./validate-command.js";
import { addWatchCommand } from "./watch-command.js";

/**
 * runCli runs the latch command line with argv (without node and script) and returns the exit
 * code: 0 on success, 1 for a check that is not allowed (or a failed validation), 2 for a usage
 * error or an error from the server.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode = 0;
  const program = new Command("latch")
    .description("Latch: relationship-based authorization for services and AI agents")
    .version(packageVersion(), "-V, --version", "print Latch's version")
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError();
  const setExitCode = (code: number) => {
    exitCode = code;
  };
  addSchemaServerCommands(addSchemaCommands(program, io, setExitCode), io, setExitCode);
  addValidateCommand(program, io, setExitCode);
  addMigrateCommand(program, io, setExitCode);
  addRelCommands(program, io, setExitCode);
  addCheckCommand(program, io, setExitCode);
  addExpandCommand(program, io, setExitCode);
  addLookupCommands(program, io, setExitCode);
  addWatchCommand(program, io, setExitCode);
  addAgentCommands(program, io, setExitCode);
  addAccessCommands(program, io, setExitCode);
  addAlertsCommands(program, io, setExitCode);
  addImportExportCommands(program, io, setExitCode);
  addDecisionsCommands(program, io, setExitCode);
  addServeCommand(program, io, setExitCode);
  addMcpGatewayCommand(program, io, setExitCode);
  addKeyCommands(program, io, setExitCode);
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    // Help or the version asked for exits 0; every other stop of commander's is a usage error.
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : EXIT_USAGE_OR_SERVER_ERROR;
    }
    throw error;
  }
  return exitCode;
}
