// `latch decisions`: the decision log of a running server, listed, fetched, followed, exported and verified.

import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { type Command, InvalidArgumentError, Option } from "commander";
import { MAX_PAGE_SIZE } from "../api/convert/read-page-size.js";
import type { DecisionFilter } from "../decisions/decision-filter.js";
import { DECISION_RESULTS, type DecisionResult } from "../decisions/decision-record.js";
import {
  ChainProblem_Kind,
  type DecisionFilterSchema,
} from "../gen/latch/v1/decision_service_pb.js";
import { CheckResult } from "../gen/latch/v1/permission_service_pb.js";
import { canonicalJson } from "../tuple/canonical-json.js";
import { parseTimestamp } from "../tuple/timestamp.js";
import { callServer, EXIT_USAGE_OR_SERVER_ERROR } from "./call-server.js";
import type { CliIo } from "./cli-io.js";
import { printResult } from "./cli-output.js";
import { decisionLine, decisionLines, decisionRecord } from "./decision-text.js";
import { addJsonOption, type JsonOption } from "./shared-options.js";

/** The most decisions `list` prints unless --limit says otherwise. */
const DEFAULT_LIST_LIMIT = 50;

const RESULT_MESSAGES: Record<DecisionResult, CheckResult> = {
  allowed: CheckResult.ALLOWED,
  denied: CheckResult.DENIED,
  conditional: CheckResult.CONDITIONAL,
};

const PROBLEM_WORDS: Partial<Record<ChainProblem_Kind, string>> = {
  [ChainProblem_Kind.CHANGED]: "changed",
  [ChainProblem_Kind.REMOVED]: "removed",
  [ChainProblem_Kind.OUT_OF_ORDER]: "out of order",
  [ChainProblem_Kind.INSERTED]: "inserted",
};

/** FilterOptions are the filter options, parsed: commander names them as the filter's fields. */
type FilterOptions = DecisionFilter;

type FilterInit = MessageInitShape<typeof DecisionFilterSchema>;

/**
 * addDecisionsCommands registers `decisions list|get|tail|export|verify`. Filters are options
 * (`--subject user:alice`, `--resource document`, `--result denied`, `--since 1h`…); an unknown
 * one is a usage error.
 */
export function addDecisionsCommands(
  program: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
): void {
  const decisions = program
    .command("decisions")
    .description("the decision log: every check and lookup answered, with its proof");

  addJsonOption(
    withFilters(decisions.command("list"), "until")
      .description("print the decisions matching the filters, newest first")
      .addOption(
        new Option("--limit <n>", "at most this many").default(DEFAULT_LIST_LIMIT).argParser(count),
      ),
  ).action(async (options: FilterOptions & JsonOption & { limit: number }) => {
    const code = await callServer(io, async (client) => {
      const filter = filterMessage(options);
      let left = options.limit;
      let cursor = "";
      while (left > 0) {
        const page = await client.decisions.listDecisions({
          filter,
          pageSize: Math.min(left, MAX_PAGE_SIZE),
          cursor,
        });
        for (const message of page.decisions) {
          const record = decisionRecord(message);
          printResult(io, options.json, record, () => decisionLine(record));
        }
        left -= page.decisions.length;
        cursor = page.nextCursor;
        if (cursor === "") break;
      }
      return 0;
    });
    setExitCode(code);
  });

  addJsonOption(
    decisions
      .command("get")
      .description("print one decision, whole, with its proof")
      .argument("<id>", "the decision's id, as the answer returned it"),
  ).action(async (id: string, options: JsonOption) => {
    const code = await callServer(io, async (client) => {
      const { decision } = await client.decisions.getDecision({ decisionId: id });
      if (decision !== undefined) {
        const record = decisionRecord(decision);
        printResult(io, options.json, record, () => decisionLines(record));
      }
      return 0;
    });
    setExitCode(code);
  });

  addJsonOption(
    withFilters(decisions.command("tail"), "no-until").description(
      "print decisions as they are recorded, until interrupted (--since: from that time on)",
    ),
  ).action(async (options: FilterOptions & JsonOption) => {
    const code = await callServer(io, async (client) => {
      const stop = io.interruption();
      try {
        const stream = client.decisions.watchDecisions(
          { filter: filterMessage(options) },
          { signal: stop },
        );
        for await (const { decisions: batch } of stream) {
          for (const message of batch) {
            const record = decisionRecord(message);
            printResult(io, options.json, record, () => decisionLine(record));
          }
        }
      } catch (error) {
        if (!stop.aborted) throw error;
      }
      if (stop.aborted) return 0;
      io.stderr(`the server at ${client.endpoint} ended the stream (is it stopping?)\n`);
      return EXIT_USAGE_OR_SERVER_ERROR;
    });
    setExitCode(code);
  });

  withFilters(decisions.command("export"), "until")
    .description(
      "print the decisions matching the filters as NDJSON, one record a line, newest first",
    )
    .action(async (options: FilterOptions) => {
      const code = await callServer(io, async (client) => {
        const filter = filterMessage(options);
        let cursor = "";
        do {
          const page = await client.decisions.listDecisions({
            filter,
            pageSize: MAX_PAGE_SIZE,
            cursor,
          });
          const lines = page.decisions.map((m) => `${canonicalJson(decisionRecord(m))}\n`);
          io.stdout(lines.join(""));
          cursor = page.nextCursor;
        } while (cursor !== "");
        return 0;
      });
      setExitCode(code);
    });

  addJsonOption(
    decisions
      .command("verify")
      .description(
        "check the log's hash chain: exit 1 with the first record changed, removed or out of order",
      )
      .addOption(
        new Option("--since <time>", "from this time (RFC 3339, or 1h, 2d ago)").argParser(time),
      ),
  ).action(async (options: JsonOption & { since?: Date }) => {
    const code = await callServer(io, async (client) => {
      const report = await client.decisions.verifyDecisions(
        options.since === undefined ? {} : { since: timestampFromDate(options.since) },
      );
      const { problem } = report;
      const json = {
        ok: problem === undefined,
        batches: Number(report.batches),
        decisions: Number(report.decisions),
        firstBatch: Number(report.firstBatch),
        lastBatch: Number(report.lastBatch),
        lastHash: report.lastHash,
        ...(problem === undefined
          ? {}
          : {
              problem: {
                kind: PROBLEM_WORDS[problem.kind] ?? "unknown",
                batch: Number(problem.batch),
                ...(problem.decisionId === ""
                  ? {}
                  : { position: problem.position, decisionId: problem.decisionId }),
                detail: problem.detail,
              },
            }),
      };
      const intact =
        report.batches === 0n
          ? "the log holds no batch to verify"
          : `${report.decisions} decisions in batches ${report.firstBatch} to ${report.lastBatch} are intact; the last batch's hash is ${report.lastHash}`;
      printResult(io, options.json, json, () => {
        if (problem === undefined) return `ok: ${intact}`;
        const what =
          problem.decisionId === ""
            ? `batch ${problem.batch}`
            : `decision ${problem.decisionId} (batch ${problem.batch}, position ${problem.position})`;
        return `FAILED: ${what} was ${PROBLEM_WORDS[problem.kind] ?? "damaged"}: ${problem.detail}`;
      });
      return problem === undefined ? 0 : 1;
    });
    setExitCode(code);
  });
}

/** withFilters adds the filter options; `no-until` leaves out --until (a stream has no end). */
function withFilters(command: Command, until: "until" | "no-until"): Command {
  command
    .option("--subject <ref>", "user:alice, group:eng#member, or a type: user")
    .option("--actor <ref>", "an agent that acted for the subject: agent:bot")
    .option("--resource <ref>", "document:plan, or a type: document")
    .option("--permission <name>", "a permission or relation")
    .addOption(
      new Option("--result <result>", "only this answer").choices(DECISION_RESULTS as string[]),
    )
    .option("--api-key <name>", "only decisions asked with this API key")
    .addOption(
      new Option("--since <time>", "from this time: RFC 3339, or 30m, 1h, 2d ago").argParser(time),
    );
  if (until === "until") {
    command.addOption(
      new Option("--until <time>", "before this time: RFC 3339, or 30m, 1h, 2d ago").argParser(
        time,
      ),
    );
  }
  return command;
}

function filterMessage(options: FilterOptions): FilterInit {
  return {
    subject: options.subject ?? "",
    actor: options.actor ?? "",
    resource: options.resource ?? "",
    permission: options.permission ?? "",
    result:
      options.result === undefined ? CheckResult.UNSPECIFIED : RESULT_MESSAGES[options.result],
    apiKey: options.apiKey ?? "",
    ...(options.since === undefined ? {} : { since: timestampFromDate(options.since) }),
    ...(options.until === undefined ? {} : { until: timestampFromDate(options.until) }),
  };
}

const AGO = /^([1-9][0-9]*)(s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** time reads an RFC 3339 timestamp, or a duration before now: `30m`, `1h`, `2d`. */
function time(text: string): Date {
  const ago = AGO.exec(text);
  if (ago !== null) return new Date(Date.now() - Number(ago[1]) * UNIT_MS[ago[2]!]!);
  const parsed = parseTimestamp(text);
  if (parsed instanceof Date) return parsed;
  throw new InvalidArgumentError(
    `expected an RFC 3339 time such as 2026-12-01T00:00:00Z, or a duration before now such as 30m, 1h or 2d`,
  );
}

function count(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new InvalidArgumentError("expected a whole number from 1");
  return n;
}
