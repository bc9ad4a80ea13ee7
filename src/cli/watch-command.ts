// `latch watch`: relationship changes on a running server, printed as they commit, until interrupted.

import type { Command } from "commander";
import { WatchChange_Operation } from "../gen/latch/v1/relationship_service_pb.js";
import { relationshipText } from "./api-values.js";
import { callServer, EXIT_USAGE_OR_SERVER_ERROR } from "./call-server.js";
import type { CliIo } from "./cli-io.js";
import { printResult } from "./cli-output.js";
import { addJsonOption, type JsonOption } from "./shared-options.js";

const OPERATIONS: Partial<Record<WatchChange_Operation, string>> = {
  [WatchChange_Operation.TOUCH]: "touch",
  [WatchChange_Operation.DELETE]: "delete",
  [WatchChange_Operation.EXPIRE]: "expire",
};

interface WatchOptions extends JsonOption {
  readonly from?: string;
  readonly type?: string[];
}

/**
 * addWatchCommand registers `watch`: one line per change, `touch document:plan#viewer@user:alice
 * (token …)`, or with --json `{"operation","relationship","token"}`. It runs until interrupted
 * (Ctrl-C), then exits 0; resume later with `--from` and the last token printed. A stream the
 * server ends or breaks is an error (exit code 2), said on stderr with the token to resume from.
 */
export function addWatchCommand(
  program: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
): void {
  addJsonOption(
    program
      .command("watch")
      .description("print relationship changes as they commit, until interrupted")
      .option("--from <token>", "start after the revision of this token (default: from now)")
      .option("--type <types...>", "only changes to relationships on resources of these types"),
  ).action(async (options: WatchOptions) => {
    // The revision through which every change has been printed, once the server has said one.
    let printedThrough: string | undefined;
    const code = await callServer(io, async (client) => {
      const stop = io.interruption();
      try {
        const responses = client.relationships.watch(
          { since: options.from ?? "", resourceTypes: options.type ?? [] },
          { signal: stop },
        );
        for await (const { changes, changesThrough } of responses) {
          for (const change of changes) {
            const operation = OPERATIONS[change.operation] ?? `operation ${change.operation}`;
            const relationship = relationshipText(change.relationship);
            const token = change.changedAt;
            printResult(
              io,
              options.json,
              { operation, relationship, token },
              () => `${operation} ${relationship} (token ${token})`,
            );
          }
          if (changesThrough !== "") printedThrough = changesThrough;
        }
      } catch (error) {
        // Being interrupted is how a watch ends.
        if (!stop.aborted) throw error;
      }
      if (stop.aborted) return 0;
      io.stderr(`the server at ${client.endpoint} ended the watch (is it stopping?)\n`);
      return EXIT_USAGE_OR_SERVER_ERROR;
    });
    if (code !== 0 && printedThrough !== undefined) {
      io.stderr(
        `every change through ${printedThrough} was printed: resume with --from ${printedThrough}\n`,
      );
    }
    setExitCode(code);
  });
}
