// `latch check RESOURCE#PERMISSION@SUBJECT`: asks a running server; exit code 0 only when allowed.

import { toJson } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { Command } from "commander";
import { denialReasonName } from "../api/convert/write-decision.js";
import { objectRefMessage, subjectRefMessage } from "../api/convert/write-messages.js";
import { renderExplanation } from "../engine/render-explanation.js";
import {
  type CheckResponse,
  ExplanationNodeSchema,
} from "../gen/latch/v1/permission_service_pb.js";
import { formatSubjectRef } from "../tuple/format-relationship.js";
import type { SubjectRef } from "../tuple/relationship.js";
import { explanationOf, relationshipText, resultName } from "./api-values.js";
import { callServer } from "./call-server.js";
import type { CliIo } from "./cli-io.js";
import { printResult } from "./cli-output.js";
import { type CheckQuery, parseCheckQuery } from "./query-arguments.js";
import {
  type ActorOption,
  actorsOf,
  addActorOption,
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

interface CheckOptions extends JsonOption, ConsistencyOption, ContextOption, ActorOption {
  readonly explain?: boolean;
}

/**
 * addCheckCommand registers `check`. It prints `allowed (token …)`, `denied (token …)` or
 * `conditional on ip, time (token …)`, and with --explain the proof as an indented tree; with
 * --json one object: result, token, missingParameters when conditional, validUntil when an
 * expiring relationship decided it, explanation (the API's tree) when asked, decisionId when the
 * server's decision log recorded it. With --actor (the
 * agents acting for the subject) or when a suspension denied it, a denial says who in the chain
 * failed and why (`denied: agent:bot is suspended (token …)`; --json: deniedBy and reason). When
 * the server (LATCH_REQUESTABLE) names relationships the denied member may ask for, the denial
 * lists them (`denied: agent:bot has no view on document:plan; requestable:
 * document:plan#viewer@agent:bot (token …)`; --json: requestable).
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
  addJsonOption(addConsistencyOption(addContextOption(addActorOption(command)))).action(
    async (text: string, options: CheckOptions) => {
      const code = await callServer(io, async (client) => {
        const query = parseCheckQuery(text);
        const actors = actorsOf(options);
        const response = await client.permissions.check({
          resource: objectRefMessage(query.resource),
          permission: query.permission,
          subject: subjectRefMessage(query.subject),
          explain: options.explain === true,
          actors: actors.map(subjectRefMessage),
          ...requestFields(options),
        });
        const requestable = response.requestable.map(relationshipText);
        // A plain check's denial names no member; one with something to request names the subject.
        const denial =
          denialOf(response) ??
          (requestable.length === 0
            ? undefined
            : { by: query.subject, reason: "no-permission" as const });
        const result = resultName(response.result);
        const { missingParameters: missing, explanation, validUntil } = response;
        const token = response.checkedAt;
        const json = {
          result,
          token,
          ...(result === "conditional" ? { missingParameters: missing } : {}),
          ...(validUntil === undefined ? {} : { validUntil: timestampDate(validUntil) }),
          ...(denial === undefined
            ? {}
            : { deniedBy: formatSubjectRef(denial.by), reason: denial.reason }),
          ...(explanation === undefined
            ? {}
            : { explanation: toJson(ExplanationNodeSchema, explanation) }),
          ...(response.decisionId === "" ? {} : { decisionId: response.decisionId }),
          ...(requestable.length === 0 ? {} : { requestable }),
        };
        printResult(io, options.json, json, () => {
          const asks = requestable.length === 0 ? "" : `; requestable: ${requestable.join(", ")}`;
          const said =
            result === "conditional"
              ? `conditional on ${missing.join(", ")}`
              : denial !== undefined
                ? `denied: ${describeDenial(denial, query, actors)}${asks}`
                : result;
          const head = `${said} (token ${token})`;
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

/** Denial is who in the chain failed a check, and why, as the server said. */
interface Denial {
  readonly by: SubjectRef;
  readonly reason: NonNullable<ReturnType<typeof denialReasonName>>;
}

/**
 * denialOf is the denial a response names: the server names one when the check had actors or a
 * suspension denied it.
 */
function denialOf(response: CheckResponse): Denial | undefined {
  const name = denialReasonName(response.reason);
  const { deniedBy } = response;
  if (deniedBy?.object === undefined || name === undefined) return undefined;
  const { type, id } = deniedBy.object;
  const by = deniedBy.relation === "" ? { type, id } : { type, id, relation: deniedBy.relation };
  return { by, reason: name };
}

/** describeDenial says a denial in words: `agent:bot may not act for user:alice`. */
function describeDenial(denial: Denial, query: CheckQuery, actors: readonly SubjectRef[]): string {
  const who = formatSubjectRef(denial.by);
  switch (denial.reason) {
    case "suspended":
      return `${who} is suspended`;
    case "not-delegated": {
      const chain = [query.subject, ...actors].map(formatSubjectRef);
      const before = chain[chain.indexOf(who) - 1];
      return `${who} may not act for ${before ?? "the member before it"}`;
    }
    case "no-permission":
      return `${who} has no ${query.permission} on ${query.resource.type}:${query.resource.id}`;
    case "condition-false":
      return `a condition on ${who}'s access does not hold`;
  }
}
