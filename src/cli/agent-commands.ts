// `latch suspend`, `latch resume` and `latch suspensions`: the kill switch for agents and the people they act for.

import { type Timestamp, timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { Command } from "commander";
import { subjectRefMessage } from "../api/convert/write-messages.js";
import type { Suspension } from "../gen/latch/v1/agent_service_pb.js";
import type { SubjectRef as SubjectRefMessage } from "../gen/latch/v1/core_pb.js";
import { formatSubjectRef } from "../tuple/format-relationship.js";
import { parseSubjectRef } from "../tuple/parse-ref.js";
import type { SubjectRef } from "../tuple/relationship.js";
import { formatTimestamp } from "../tuple/timestamp.js";
import { callServer } from "./call-server.js";
import type { CliIo } from "./cli-io.js";
import { printResult } from "./cli-output.js";
import {
  addConsistencyOption,
  addJsonOption,
  type ConsistencyOption,
  type JsonOption,
  parseLasting,
} from "./shared-options.js";
import { snapshotPages } from "./snapshot-pages.js";
import { parsed } from "./usage-error.js";

interface SuspendOptions extends JsonOption {
  readonly reason: string;
  /** --for, in milliseconds. */
  readonly for?: number;
}

/**
 * addAgentCommands registers `suspend SUBJECT --reason TEXT [--for DURATION]` (prints `suspended
 * agent:bot until … (token …)`), `resume SUBJECT` (`resumed agent:bot (token …)`) and
 * `suspensions` (one line a suspension: `agent:bot by ops since … until …: reason`). With --json,
 * suspend and each suspension print `{"subject","reason","suspendedBy","suspendedAt",
 * ["expiresAt"],"token"}`, resume `{"subject","token"}`.
 */
export function addAgentCommands(
  program: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
): void {
  addJsonOption(
    program
      .command("suspend")
      .description(
        "suspend a subject (agent:bot, user:alice) or every object of a type (agent:*): every check whose chain holds it is denied",
      )
      .argument("<subject>", "the subject, e.g. agent:bot, or agent:* for every agent")
      .requiredOption("--reason <text>", "why, for the people who read `latch suspensions`")
      .option(
        "--for <duration>",
        "end the suspension by itself after this long, e.g. 30m or 1h (default: until resumed)",
        parseLasting("a suspension"),
      ),
  ).action(async (text: string, options: SuspendOptions) => {
    const code = await callServer(io, async (client) => {
      const subject = parseSubject(text);
      const response = await client.agents.suspend({
        subject: subjectRefMessage(subject),
        reason: options.reason,
        ...(options.for === undefined
          ? {}
          : { expiresAt: timestampFromDate(new Date(Date.now() + options.for)) }),
      });
      const token = response.suspendedAt;
      const { suspension } = response;
      if (suspension === undefined) throw new Error("the server answered no suspension");
      printResult(io, options.json, suspensionJson(suspension, token), () => {
        const until = timeOf(suspension.expiresAt);
        return `suspended ${formatSubjectRef(subject)}${until === undefined ? "" : ` until ${until}`} (token ${token})`;
      });
      return 0;
    });
    setExitCode(code);
  });

  addJsonOption(
    program
      .command("resume")
      .description("lift a subject's suspension (agent:* lifts the wildcard's only)")
      .argument("<subject>", "the subject, exactly as suspended"),
  ).action(async (text: string, options: JsonOption) => {
    const code = await callServer(io, async (client) => {
      const subject = parseSubject(text);
      const response = await client.agents.resume({ subject: subjectRefMessage(subject) });
      const token = response.resumedAt;
      const shown = formatSubjectRef(subject);
      printResult(
        io,
        options.json,
        { subject: shown, token },
        () => `resumed ${shown} (token ${token})`,
      );
      return 0;
    });
    setExitCode(code);
  });

  addJsonOption(
    addConsistencyOption(
      program
        .command("suspensions")
        .description("list the suspensions in force: who, by whom, since and until when, why"),
    ),
  ).action(async (options: JsonOption & ConsistencyOption) => {
    const code = await callServer(io, async (client) => {
      const pages = snapshotPages(options.consistency, (page) =>
        client.agents.listSuspensions(page),
      );
      for await (const page of pages) {
        for (const suspension of page.suspensions) {
          printResult(io, options.json, suspensionJson(suspension, page.readAt), () => {
            const until = timeOf(suspension.expiresAt);
            const since = timeOf(suspension.suspendedAt) ?? "";
            return `${subjectText(suspension.subject)} by ${suspension.suspendedBy} since ${since}${until === undefined ? "" : ` until ${until}`}: ${suspension.reason}`;
          });
        }
      }
      return 0;
    });
    setExitCode(code);
  });
}

/** parseSubject reads `agent:bot` or `agent:*`: a UsageError, with a caret, otherwise. */
function parseSubject(text: string): SubjectRef {
  return parsed("subject", text, parseSubjectRef(text));
}

function suspensionJson(suspension: Suspension, token: string) {
  const expiresAt = timeOf(suspension.expiresAt);
  return {
    subject: subjectText(suspension.subject),
    reason: suspension.reason,
    suspendedBy: suspension.suspendedBy,
    suspendedAt: timeOf(suspension.suspendedAt),
    ...(expiresAt === undefined ? {} : { expiresAt }),
    token,
  };
}

function subjectText(subject: SubjectRefMessage | undefined): string {
  const object = subject?.object;
  return object === undefined ? "" : formatSubjectRef({ type: object.type, id: object.id });
}

function timeOf(timestamp: Timestamp | undefined): string | undefined {
  return timestamp === undefined ? undefined : formatTimestamp(timestampDate(timestamp));
}
