// `latch schema check|format FILE`: the schema language from the command line, without a server.

import type { Command } from "commander";
import { loadUserSchema } from "../agents/builtin-schema.js";
import type { CompiledSchema } from "../schema/compiled-schema.js";
import { formatDiagnostic } from "../schema/diagnostic.js";
import { formatSchema } from "../schema/formatter.js";
import { TOO_MANY_DIAGNOSTICS_MESSAGE } from "../schema/schema-limits.js";
import type { CliIo } from "./cli-io.js";
import { printResult } from "./cli-output.js";
import { addJsonOption, type JsonOption } from "./shared-options.js";

/**
 * addSchemaCommands registers `schema check` and `schema format`, each setting the exit code, and
 * returns the `schema` command for the subcommands that talk to a server. With --json, `check`
 * prints `{"file","ok":true,"definitions","relations","permissions","caveats"}` or
 * `{"file","ok":false,"errors":[{"line","column","message"}]}`, and `format` `{"schema"}`.
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
  addJsonOption(
    schema
      .command("check")
      .description(
        "type-check a schema; print a summary, or every error as FILE:LINE:COLUMN: message",
      )
      .argument("<file>", "schema file (.zed)"),
  ).action(async (file: string, options: JsonOption) => {
    const loaded = await load(io, file, options, setExitCode);
    if (loaded) {
      const counts = countMembers(loaded);
      printResult(
        io,
        options.json,
        { file, ok: true, ...counts },
        () => `${file}: ok, ${summarize(counts)}`,
      );
    }
  });
  addJsonOption(
    schema
      .command("format")
      .description("print a schema in canonical form")
      .argument("<file>", "schema file (.zed)"),
  ).action(async (file: string, options: JsonOption) => {
    const loaded = await load(io, file, options, setExitCode);
    if (loaded) {
      const text = formatSchema(loaded.ast);
      printResult(io, options.json, { schema: text }, () => text.trimEnd());
    }
  });
  return schema;
}

/**
 * load reads and compiles a schema file as a server accepts it. A file that cannot be read is said on stderr (exit
 * code 2); a schema with errors prints them (exit code 1): on stderr as FILE:LINE:COLUMN: message,
 * or with --json as the `errors` of one JSON line on stdout.
 */
async function load(
  io: CliIo,
  file: string,
  options: JsonOption,
  setExitCode: (code: number) => void,
) {
  let text: string;
  try {
    text = await io.readFile(file);
  } catch (error) {
    io.stderr(`${file}: cannot read: ${(error as Error).message}\n`);
    setExitCode(2);
    return undefined;
  }
  // As a server would take it: the names Latch reserves for itself are errors here too.
  const result = loadUserSchema(text);
  if (result.ok) return result;
  setExitCode(1);
  if (options.json) {
    const errors = result.diagnostics.map(({ message, span }) => ({
      line: span.start.line,
      column: span.start.column,
      message,
    }));
    io.stdout(`${JSON.stringify({ file, ok: false, errors })}\n`);
    return undefined;
  }
  for (const diagnostic of result.diagnostics) io.stderr(`${formatDiagnostic(file, diagnostic)}\n`);
  // A report cut at its limit ends with a line saying so, which is not an error of its own.
  const cut = result.diagnostics.at(-1)?.message === TOO_MANY_DIAGNOSTICS_MESSAGE;
  const count = result.diagnostics.length - (cut ? 1 : 0);
  io.stderr(`${cut ? "at least " : ""}${count} error${count === 1 ? "" : "s"}\n`);
  return undefined;
}

/** MemberCounts are how many of each thing a schema declares. */
interface MemberCounts {
  readonly definitions: number;
  readonly relations: number;
  readonly permissions: number;
  readonly caveats: number;
}

/** countMembers counts what a schema declares. */
function countMembers({ schema }: { schema: CompiledSchema }): MemberCounts {
  let relations = 0;
  let permissions = 0;
  for (const definition of schema.definitions.values()) {
    for (const member of definition.members.values()) {
      if (member.kind === "relation") relations++;
      else permissions++;
    }
  }
  return {
    definitions: schema.definitions.size,
    relations,
    permissions,
    caveats: schema.caveats.size,
  };
}

/** summarize says counts in words, e.g. "3 definitions, 5 relations, 4 permissions, 1 caveat". */
function summarize(counts: MemberCounts): string {
  const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;
  return [
    count(counts.definitions, "definition"),
    count(counts.relations, "relation"),
    count(counts.permissions, "permission"),
    count(counts.caveats, "caveat"),
  ].join(", ");
}
