// `latch schema check|format FILE`: the schema language from the command line, without a server.

import type { Command } from "commander";
import type { CompiledSchema } from "../schema/compiled-schema.js";
import { formatDiagnostic } from "../schema/diagnostic.js";
import { formatSchema } from "../schema/formatter.js";
import { loadSchema } from "../schema/load-schema.js";
import type { CliIo } from "./cli-io.js";

/**
 * addSchemaCommands registers `schema check` and `schema format`, each setting the exit code, and
 * returns the `schema` command for the subcommands that talk to a server.
 */
export function addSchemaCommands(
  program: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
): Command {
  const schema = program
    .command("schema")
    .description(
      "check and format schema files (SpiceDB's schema language); write and read the server's",
    );
  schema
    .command("check")
    .description(
      "type-check a schema; print a summary, or every error as FILE:LINE:COLUMN: message",
    )
    .argument("<file>", "schema file (.zed)")
    .action(async (file: string) => {
      const loaded = await load(io, file, setExitCode);
      if (loaded) io.stdout(`${file}: ok, ${summarize(loaded)}\n`);
    });
  schema
    .command("format")
    .description("print a schema in canonical form")
    .argument("<file>", "schema file (.zed)")
    .action(async (file: string) => {
      const loaded = await load(io, file, setExitCode);
      if (loaded) io.stdout(formatSchema(loaded.ast));
    });
  return schema;
}

async function load(io: CliIo, file: string, setExitCode: (code: number) => void) {
  let text: string;
  try {
    text = await io.readFile(file);
  } catch (error) {
    io.stderr(`${file}: cannot read: ${(error as Error).message}\n`);
    setExitCode(2);
    return undefined;
  }
  const result = loadSchema(text);
  if (result.ok) return result;
  for (const diagnostic of result.diagnostics) io.stderr(`${formatDiagnostic(file, diagnostic)}\n`);
  const count = result.diagnostics.length;
  io.stderr(`${count} error${count === 1 ? "" : "s"}\n`);
  setExitCode(1);
  return undefined;
}

/** summarize counts what a schema declares, e.g. "3 definitions, 5 relations, 4 permissions, 1 caveat". */
export function summarize({ schema }: { schema: CompiledSchema }): string {
  let relations = 0;
  let permissions = 0;
  for (const definition of schema.definitions.values()) {
    for (const member of definition.members.values()) {
      if (member.kind === "relation") relations++;
      else permissions++;
    }
  }
  const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;
  return [
    count(schema.definitions.size, "definition"),
    count(relations, "relation"),
    count(permissions, "permission"),
    count(schema.caveats.size, "caveat"),
  ].join(", ");
}
