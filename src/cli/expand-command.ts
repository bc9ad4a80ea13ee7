// `latch expand RESOURCE#PERMISSION`: the tree of subjects a permission is made of, from a running server.

import { toJson } from "@bufbuild/protobuf";
import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import { objectRefMessage } from "../api/convert/write-messages.js";
import { ExpandNodeSchema } from "../gen/latch/v1/permission_service_pb.js";
import { callServer } from "./call-server.js";
import type { CliIo } from "./cli-io.js";
import { printResult } from "./cli-output.js";
import { parseObjectPermission } from "./query-arguments.js";
import { renderExpandTree } from "./render-expand-tree.js";
import {
  addConsistencyOption,
  addJsonOption,
  type ConsistencyOption,
  type JsonOption,
  requestFields,
} from "./shared-options.js";

interface ExpandOptions extends JsonOption, ConsistencyOption {
  readonly depth?: number;
}

/** addExpandCommand registers `expand`: the tree as indented lines, or with --json `{"tree":…,"token":…}`. */
export function addExpandCommand(
  program: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
): void {
  const command = program
    .command("expand")
    .description("print the tree of subjects a relation or permission is made of")
    .argument("<permission>", "RESOURCE#PERMISSION, e.g. document:plan#view")
    .option(
      "--depth <n>",
      "how many levels of subject sets and arrows to follow (default: the server's, 10)",
      parseDepth,
    );
  addJsonOption(addConsistencyOption(command)).action(
    async (text: string, options: ExpandOptions) => {
      const code = await callServer(io, async (client) => {
        const { resource, permission } = parseObjectPermission(text);
        const { tree, expandedAt } = await client.permissions.expand({
          resource: objectRefMessage(resource),
          permission,
          depth: options.depth ?? 0,
          ...requestFields(options),
        });
        if (tree === undefined) throw new Error("the server sent an expansion without a tree");
        printResult(
          io,
          options.json,
          { tree: toJson(ExpandNodeSchema, tree), token: expandedAt },
          () => renderExpandTree(tree),
        );
        return 0;
      });
      setExitCode(code);
    },
  );
}

function parseDepth(text: string): number {
  const depth = Number(text);
  if (!/^\d+$/.test(text) || depth < 1)
    throw new InvalidArgumentError("expected a whole number of at least 1");
  return depth;
}
