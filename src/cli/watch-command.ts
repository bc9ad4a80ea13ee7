// `latch watch`: relationship changes on a running server, printed as they commit, until interrupted.

import type { Command } from "commander";
import { WatchChange_Operation } from "../gen/latch/v1/relationship_service_pb.js";
import { relationshipText } from "./api-values.js";
import { callServer } from "./call-server.js";
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
 * (Ctrl-C), then exits 0; resume later with `--from` and the last token printed.
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
    const code = await callServer(io, async (client) => {
      const stop = io.interruption();
      try {
        const responses = client.relationships.watch(
          { since: options.from ?? "", resourceTypes: options.type ?? [] },
          { signal: stop },
        );
        for await (const { changes } of responses) {
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
        }
      } catch (error) {
        // Being interrupted is how a watch ends.
        if (!stop.aborted) throw error;
      }
      return 0;
    });
    setExitCode(code);
  });
}
