// `latch check RESOURCE#PERMISSION@SUBJECT`: asks a running server; exit code 0 only when allowed.

import { toJson } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { Command } from "commander";
import { objectRefMessage, subjectRefMessage } from "../api/convert/write-messages.js";
import { renderExplanation } from "../engine/render-explanation.js";
import { ExplanationNodeSchema } from "../gen/latch/v1/permission_service_pb.js";
import { explanationOf, resultName } from "./api-values.js";
import { callServer } from "./call-server.js";
import type { CliIo } from "./cli-io.js";
import { printResult } from "./cli-output.js";
import { parseCheckQuery } from "./query-arguments.js";
import {
  addConsistencyOption,
  addContextOption,
  addJsonOption,
  type ConsistencyOption,
  type ContextOption,
  type JsonOption,
  requestFields,
} from "./shared-options.js";

/** EXIT_NOT_ALLOWED is the exit code of a denied or conditional check, as `test` fails. */
const EXIT_NOT_ALLOWED = 1;

interface CheckOptions extends JsonOption, ConsistencyOption, ContextOption {
  readonly explain?: boolean;
}

/**
 * addCheckCommand registers `check`. It prints `allowed (token …)`, `denied (token …)` or
 * `conditional on ip, time (token …)`, and with --explain the proof as an indented tree; with
 * --json one object: result, token, missingParameters when conditional, validUntil when an
 * expiring relationship decided it, explanation (the API's tree) when asked.
 */
export function addCheckCommand(
  program: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
): void {
  const command = program
    .command("check")
    .description("check a permission: exit code 0 when allowed, 1 when denied or conditional")
    .argument("<check>", "RESOURCE#PERMISSION@SUBJECT, e.g. document:plan#view@user:alice")
    .option("--explain", "print the proof of the answer");
  addJsonOption(addConsistencyOption(addContextOption(command))).action(
    async (text: string, options: CheckOptions) => {
      const code = await callServer(io, async (client) => {
        const query = parseCheckQuery(text);
        const response = await client.permissions.check({
          resource: objectRefMessage(query.resource),
          permission: query.permission,
          subject: subjectRefMessage(query.subject),
          explain: options.explain === true,
          ...requestFields(options),
        });
        const result = resultName(response.result);
        const { missingParameters: missing, explanation, validUntil } = response;
        const token = response.checkedAt;
        const json = {
          result,
          token,
          ...(result === "conditional" ? { missingParameters: missing } : {}),
          ...(validUntil === undefined ? {} : { validUntil: timestampDate(validUntil) }),
          ...(explanation === undefined
            ? {}
            : { explanation: toJson(ExplanationNodeSchema, explanation) }),
        };
        printResult(io, options.json, json, () => {
          const head =
            result === "conditional"
              ? `conditional on ${missing.join(", ")} (token ${token})`
              : `${result} (token ${token})`;
          const proof =
            explanation === undefined
              ? []
              : renderExplanation(explanationOf(explanation), query.subject);
          return [head, ...proof.map((line) => `  ${line}`)];
        });
        return result === "allowed" ? 0 : EXIT_NOT_ALLOWED;
      });
      setExitCode(code);
    },
  );
}
