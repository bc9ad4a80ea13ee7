// `latch alerts list|ack|tail|check`: the alerts the server's rules raised, and a rule file checked offline.

import { type Timestamp, timestampDate } from "@bufbuild/protobuf/wkt";
import { type Command, Option } from "commander";
import { AlertRulesError, parseAlertRules } from "../alerts/rule-file.js";
import { MAX_PAGE_SIZE } from "../api/convert/read-page-size.js";
import { type Alert, AlertStatus } from "../gen/latch/v1/alert_service_pb.js";
import { formatTimestamp } from "../tuple/timestamp.js";
import { callServer, EXIT_USAGE_OR_SERVER_ERROR } from "./call-server.js";
import type { CliIo } from "./cli-io.js";
import { printResult } from "./cli-output.js";
import { readInput } from "./read-input.js";
import { addJsonOption, type JsonOption } from "./shared-options.js";
import { UsageError } from "./usage-error.js";

/** EXIT_INVALID is the exit code of a rule file with problems, as `latch validate` fails. */
const EXIT_INVALID = 1;
const STATUSES = ["open", "acknowledged"] as const;

interface FilterOptions extends JsonOption {
  readonly rule?: string;
  readonly status?: (typeof STATUSES)[number];
  readonly agent?: string;
}

interface TailOptions extends FilterOptions {
  readonly after?: string;
}

/**
 * addAlertsCommands registers `alerts list [--rule R] [--status S] [--agent A]`, `alerts ack ID
 * [--note TEXT]`, `alerts tail [the same filters] [--after ID]` (until interrupted) and `alerts
 * check FILE` (offline). Each alert prints on one line (`12 open denial-burst agent:bot
 * 2025-01-31T10:00:00.000Z: SUMMARY`); with --json, the alert's fields as the webhook sends them.
 */
export function addAlertsCommands(
  program: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
): void {
  const alerts = program
    .command("alerts")
    .description("alerts raised by the alert rules (LATCH_ALERTS), and rule files checked");

  addJsonOption(
    withFilters(alerts.command("list").description("list alerts, newest first")),
  ).action((options: FilterOptions) =>
    callServer(io, async (client) => {
      let cursor = "";
      do {
        const page = await client.alerts.listAlerts({
          filter: filterOf(options),
          pageSize: MAX_PAGE_SIZE,
          cursor,
        });
        for (const alert of page.alerts) print(io, options, alert);
        cursor = page.nextCursor;
      } while (cursor !== "");
      return 0;
    }).then(setExitCode),
  );

  addJsonOption(
    alerts
      .command("ack")
      .description("acknowledge an alert")
      .argument("<id>", "the alert's id")
      .option("--note <text>", "why, for the record"),
  ).action((id: string, options: JsonOption & { note?: string }) =>
    callServer(io, async (client) => {
      const { alert } = await client.alerts.acknowledgeAlert({ id, note: options.note ?? "" });
      if (alert === undefined) throw new Error("the server answered no alert");
      print(io, options, alert);
      return 0;
    }).then(setExitCode),
  );

  addJsonOption(
    withFilters(
      alerts
        .command("tail")
        .description("print alerts as they are raised, until interrupted")
        .option("--after <id>", "from the alert after this one (default: the next raised)"),
    ),
  ).action((options: TailOptions) =>
    callServer(io, async (client) => {
      const stop = io.interruption();
      try {
        const stream = client.alerts.watchAlerts(
          { filter: filterOf(options), afterId: options.after ?? "" },
          { signal: stop },
        );
        for await (const { alert } of stream) {
          if (alert !== undefined) print(io, options, alert);
        }
      } catch (error) {
        if (!stop.aborted) throw error;
      }
      if (stop.aborted) return 0;
      io.stderr(`the server at ${client.endpoint} ended the stream (is it stopping?)\n`);
      return EXIT_USAGE_OR_SERVER_ERROR;
    }).then(setExitCode),
  );

  alerts
    .command("check")
    .description(
      "check an alert rule file without a server (- reads standard input): each problem with its line and column",
    )
    .argument("<file>", "the rule file")
    .action(async (file: string) => {
      try {
        const { rules } = parseAlertRules(await readInput(io, file), file);
        io.stdout(`${file}: ${rules.length} rule${rules.length === 1 ? "" : "s"}, valid\n`);
        setExitCode(0);
      } catch (error) {
        if (error instanceof UsageError) {
          io.stderr(`latch alerts check: ${error.message}\n`);
          setExitCode(EXIT_USAGE_OR_SERVER_ERROR);
          return;
        }
        if (!(error instanceof AlertRulesError)) throw error;
        for (const problem of error.problems) io.stderr(`${problem}\n`);
        setExitCode(EXIT_INVALID);
      }
    });
}

function withFilters(command: Command): Command {
  return command
    .option("--rule <name>", "only this rule's alerts")
    .addOption(new Option("--status <status>", "only those of this status").choices(STATUSES))
    .option("--agent <object>", "only those about this agent, e.g. agent:bot");
}

function filterOf(options: FilterOptions) {
  return {
    rule: options.rule ?? "",
    agent: options.agent ?? "",
    status:
      options.status === undefined
        ? AlertStatus.UNSPECIFIED
        : options.status === "open"
          ? AlertStatus.OPEN
          : AlertStatus.ACKNOWLEDGED,
  };
}

/** print writes alert as a line of text, or as JSON. */
function print(io: CliIo, options: JsonOption, alert: Alert): void {
  const json = alertJson(alert);
  printResult(io, options.json, json, () => {
    const acked =
      json.acknowledgedBy === undefined
        ? ""
        : ` (acknowledged by ${json.acknowledgedBy}${alert.note === "" ? "" : `: ${alert.note}`})`;
    return `${alert.id} ${json.status} ${alert.rule} ${alert.agent} ${json.raisedAt}: ${alert.summary}${acked}`;
  });
}

/** alertJson is alert as `--json` prints it: the webhook body's fields. */
function alertJson(alert: Alert) {
  return {
    id: alert.id,
    rule: alert.rule,
    key: alert.key,
    raisedAt: timeOf(alert.raisedAt),
    decisionId: alert.decisionId,
    decidedAt: timeOf(alert.decidedAt),
    agent: alert.agent,
    principal: alert.principal,
    resource: alert.resource,
    permission: alert.permission,
    result: alert.result,
    reason: alert.reason,
    count: alert.count,
    summary: alert.summary,
    status: alert.status === AlertStatus.ACKNOWLEDGED ? "acknowledged" : "open",
    ...(alert.acknowledgedBy === ""
      ? {}
      : {
          acknowledgedBy: alert.acknowledgedBy,
          acknowledgedAt: timeOf(alert.acknowledgedAt),
          note: alert.note,
        }),
  };
}

function timeOf(timestamp: Timestamp | undefined): string {
  return timestamp === undefined ? "" : formatTimestamp(timestampDate(timestamp));
}
