// `latch schema write FILE` and `latch schema read`: the schema of a running server.

import type { Command } from "commander";
import { callServer } from "./call-server.js";
import type { CliIo } from "./cli-io.js";
import { printResult } from "./cli-output.js";
import { readInput } from "./read-input.js";
import { addJsonOption, type JsonOption } from "./shared-options.js";

/** addSchemaServerCommands registers `write` and `read` under the `schema` command. */
export function addSchemaServerCommands(
  schema: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
): void {
  addJsonOption(
    schema
      .command("write")
      .description("replace the server's schema; prints the token of its revision")
      .argument("<file>", "schema file (.zed), or - for standard input"),
  ).action(async (file: string, options: JsonOption) => {
    const code = await callServer(io, async (client) => {
      const text = await readInput(io, file);
      const { writtenAt } = await client.schema.writeSchema({ schema: text });
      printResult(
        io,
        options.json,
        { token: writtenAt },
        () => `schema written (token ${writtenAt})`,
      );
      return 0;
    });
    setExitCode(code);
  });
  addJsonOption(schema.command("read").description("print the server's schema")).action(
    async (options: JsonOption) => {
      const code = await callServer(io, async (client) => {
        const { schema: text, readAt } = await client.schema.readSchema({});
        printResult(io, options.json, { schema: text, token: readAt }, () => text.trimEnd());
        return 0;
      });
      setExitCode(code);
    },
  );
}
