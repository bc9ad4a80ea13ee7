// `latch import FILE|-` and `latch export`: relationships in bulk, one a line in SpiceDB's text form.

import type { Command } from "commander";
import { relationshipMessage } from "../api/convert/write-messages.js";
import type { Relationship } from "../tuple/relationship.js";
import { readValidationDocument } from "../validation/read-validation-document.js";
import { formatProblem } from "../validation/validation-problem.js";
import { relationshipText } from "./api-values.js";
import { callServer } from "./call-server.js";
import type { CliIo } from "./cli-io.js";
import { printResult } from "./cli-output.js";
import { parseFilter } from "./query-arguments.js";
import { readInput, STDIN } from "./read-input.js";
import { parseRelationshipLines } from "./relationship-input.js";
import {
  addConsistencyOption,
  addJsonOption,
  type ConsistencyOption,
  type JsonOption,
  requestFields,
} from "./shared-options.js";
import { UsageError } from "./usage-error.js";

/** IMPORT_BATCH is how many relationships go in one message of the import stream. */
const IMPORT_BATCH = 1000;

interface ExportOptions extends JsonOption, ConsistencyOption {
  readonly filter?: string;
}

/**
 * addImportExportCommands registers `import` (all or nothing, at one revision; prints the count
 * and token; relationships already expired are left out and counted) and `export` (every relationship matching --filter, one a line at one revision:
 * the input `import` takes).
 */
export function addImportExportCommands(
  program: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
): void {
  addJsonOption(
    program
      .command("import")
      .description(
        "write relationships in bulk, replacing existing ones, all at one revision or none",
      )
      .argument(
        "<file>",
        "relationships one a line, - for standard input, or a validation file (.yaml) whose relationships block is imported",
      ),
  ).action(async (file: string, options: JsonOption) => {
    const code = await callServer(io, async (client) => {
      // Everything is parsed before anything is sent: a bad line fails the import up front.
      const { live, expired } = leaveOutExpired(await readImportFile(io, file), new Date());
      const { importedCount, writtenAt } = await client.relationships.importRelationships(
        batches(live),
      );
      const count = Number(importedCount);
      const leftOut = expired === 0 ? "" : `, left out ${expired} already expired`;
      printResult(
        io,
        options.json,
        { imported: count, ...(expired === 0 ? {} : { expired }), token: writtenAt },
        () =>
          `imported ${count} relationship${count === 1 ? "" : "s"}${leftOut} (token ${writtenAt})`,
      );
      return 0;
    });
    setExitCode(code);
  });
  addJsonOption(
    addConsistencyOption(
      program
        .command("export")
        .description("print relationships, one a line, all of one revision")
        .option("--filter <filter>", "only those matching, e.g. document or document:plan#viewer"),
    ),
  ).action(async (options: ExportOptions) => {
    const code = await callServer(io, async (client) => {
      const responses = client.relationships.exportRelationships({
        ...(options.filter === undefined ? {} : { filter: parseFilter(options.filter) }),
        ...requestFields(options),
      });
      for await (const { relationships, exportedAt } of responses) {
        for (const message of relationships) {
          const text = relationshipText(message);
          printResult(io, options.json, { relationship: text, token: exportedAt }, () => text);
        }
      }
      return 0;
    });
    setExitCode(code);
  });
}

/** readImportFile reads relationships one a line, or the relationships block of a validation file. */
async function readImportFile(io: CliIo, file: string): Promise<Relationship[]> {
  const text = await readInput(io, file);
  if (file === STDIN || !/\.ya?ml$/.test(file)) {
    return parseRelationshipLines(text, file === STDIN ? "stdin" : file);
  }
  const read = readValidationDocument(text);
  if (!read.ok) {
    throw new UsageError(read.problems.map((problem) => formatProblem(file, problem)).join("\n"));
  }
  const block = read.document.relationships;
  if (block === undefined) throw new UsageError(`${file}: no relationships block`);
  return parseRelationshipLines(block.text, file, block.place);
}

/**
 * leaveOutExpired drops the relationships whose expiration is at or before now: they can grant
 * nothing, and the server refuses to write them, so a file exported (or a validation file written)
 * before they expired still imports.
 */
function leaveOutExpired(
  relationships: readonly Relationship[],
  now: Date,
): { live: Relationship[]; expired: number } {
  const live = relationships.filter(
    (r) => r.expiresAt === undefined || r.expiresAt.getTime() > now.getTime(),
  );
  return { live, expired: relationships.length - live.length };
}

async function* batches(relationships: readonly Relationship[]) {
  for (let start = 0; start < relationships.length; start += IMPORT_BATCH) {
    yield {
      relationships: relationships.slice(start, start + IMPORT_BATCH).map(relationshipMessage),
    };
  }
}
