// `latch rel write|touch|delete|read`: relationships on a running server, in SpiceDB's text form.

import type { Command } from "commander";
import { relationshipMessage } from "../api/convert/write-messages.js";
import { RelationshipUpdate_Operation } from "../gen/latch/v1/relationship_service_pb.js";
import { relationshipText } from "./api-values.js";
import { callServer } from "./call-server.js";
import type { CliIo } from "./cli-io.js";
import { printResult } from "./cli-output.js";
import type { LatchClient } from "./client.js";
import { parseFilter } from "./query-arguments.js";
import { readRelationshipArguments } from "./relationship-input.js";
import {
  addConsistencyOption,
  addJsonOption,
  type ConsistencyOption,
  type JsonOption,
  requestFields,
} from "./shared-options.js";
import { UsageError } from "./usage-error.js";

const UPDATES = [
  {
    name: "write",
    operation: RelationshipUpdate_Operation.CREATE,
    verb: "created",
    description: "create relationships; fails with ALREADY_EXISTS if one exists",
  },
  {
    name: "touch",
    operation: RelationshipUpdate_Operation.TOUCH,
    verb: "touched",
    description: "create relationships, or replace their caveat and expiration",
  },
  {
    name: "delete",
    operation: RelationshipUpdate_Operation.DELETE,
    verb: "deleted",
    description: "delete relationships (deleting one that does not exist succeeds)",
  },
] as const;

/** FilterOption is the parsed `--filter` of `rel delete`. */
interface FilterOption {
  readonly filter?: string;
}

/**
 * deleteByFilter runs `rel delete --filter FILTER`: one DeleteRelationships call, which deletes
 * every relationship matching the filter at one revision.
 */
async function deleteByFilter(
  io: CliIo,
  client: LatchClient,
  args: readonly string[],
  options: JsonOption & FilterOption,
): Promise<number> {
  if (options.filter === undefined || args.length > 0) {
    throw new UsageError("rel delete takes relationships or --filter FILTER, not both or neither");
  }
  const { deletedAt, deletedCount } = await client.relationships.deleteRelationships({
    filter: parseFilter(options.filter),
  });
  const count = Number(deletedCount);
  printResult(
    io,
    options.json,
    { deleted: count, token: deletedAt },
    () => `deleted ${count} relationship${count === 1 ? "" : "s"} (token ${deletedAt})`,
  );
  return 0;
}

/** addRelCommands registers `rel write`, `rel touch`, `rel delete` (one atomic write each) and `rel read`. */
export function addRelCommands(
  program: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
): void {
  const rel = program
    .command("rel")
    .description("write, touch, delete and read relationships on the server");
  for (const { name, operation, verb, description } of UPDATES) {
    const command = addJsonOption(
      rel
        .command(name)
        .description(`${description}, atomically; prints the token of the write`)
        .argument(
          name === "delete" ? "[relationships...]" : "<relationships...>",
          "relationships like document:plan#viewer@user:alice[expiration:2030-01-01T00:00:00Z], or - to read them from standard input, one a line",
        ),
    );
    if (name === "delete") {
      command.option(
        "--filter <filter>",
        "instead, every relationship matching the filter (as rel read takes it)",
      );
    }
    command.action(async (args: string[], options: JsonOption & FilterOption) => {
      const code = await callServer(io, async (client) => {
        if (options.filter !== undefined || (name === "delete" && args.length === 0)) {
          return deleteByFilter(io, client, args, options);
        }
        const relationships = await readRelationshipArguments(io, args);
        const { writtenAt, deletedCount } = await client.relationships.writeRelationships({
          updates: relationships.map((r) => ({ operation, relationship: relationshipMessage(r) })),
        });
        // A delete of a relationship that does not exist succeeds and deletes nothing.
        const count =
          operation === RelationshipUpdate_Operation.DELETE
            ? Number(deletedCount)
            : relationships.length;
        printResult(
          io,
          options.json,
          { token: writtenAt },
          () => `${verb} ${count} relationship${count === 1 ? "" : "s"} (token ${writtenAt})`,
        );
        return 0;
      });
      setExitCode(code);
    });
  }
  addJsonOption(
    addConsistencyOption(
      rel
        .command("read")
        .description("print the relationships matching a filter, one a line")
        .argument(
          "<filter>",
          "document, document:plan, document:plan#viewer, document#viewer@user:alice, ... (each part given must match)",
        ),
    ),
  ).action(async (filter: string, options: JsonOption & ConsistencyOption) => {
    const code = await callServer(io, async (client) => {
      const responses = client.relationships.readRelationships({
        filter: parseFilter(filter),
        ...requestFields(options),
      });
      for await (const { relationship, readAt } of responses) {
        const text = relationshipText(relationship);
        printResult(io, options.json, { relationship: text, token: readAt }, () => text);
      }
      return 0;
    });
    setExitCode(code);
  });
}
