// `latch access request|list|tail|get|approve|deny|cancel|revoke`: access requests, decided by people into grants that expire.

import { durationFromMs, durationMs, type Timestamp, timestampDate } from "@bufbuild/protobuf/wkt";
import { type Command, Option } from "commander";
import { relationshipMessage, subjectRefMessage } from "../api/convert/write-messages.js";
import { type AccessRequest, AccessRequestStatus } from "../gen/latch/v1/approval_service_pb.js";
import type { Relationship as RelationshipMessage } from "../gen/latch/v1/core_pb.js";
import { formatRelationship } from "../tuple/format-relationship.js";
import { parseObjectRef } from "../tuple/parse-ref.js";
import { parseRelationship } from "../tuple/parse-relationship.js";
import { formatTimestamp } from "../tuple/timestamp.js";
import { callServer, EXIT_USAGE_OR_SERVER_ERROR } from "./call-server.js";
import type { CliIo } from "./cli-io.js";
import { printResult } from "./cli-output.js";
import type { LatchClient } from "./client.js";
import {
  type ActorOption,
  actorsOf,
  addActorOption,
  addConsistencyOption,
  addJsonOption,
  type ConsistencyOption,
  type JsonOption,
  parseLasting,
} from "./shared-options.js";
import { snapshotPages } from "./snapshot-pages.js";
import { parsed } from "./usage-error.js";

/** STATUSES are the statuses as the CLI names them, in the API enum's order. */
const STATUSES = ["pending", "approved", "denied", "cancelled", "revoked", "expired"] as const;

interface RequestOptions extends JsonOption, ActorOption {
  /** --for, in milliseconds. */
  readonly for: number;
  readonly justification: string;
}

interface DecideOptions extends JsonOption {
  readonly for?: number;
  readonly note?: string;
}

interface FilterOptions {
  readonly status?: (typeof STATUSES)[number];
  readonly requester?: string;
  readonly resource?: string;
}

interface ListOptions extends FilterOptions, JsonOption, ConsistencyOption {}

interface TailOptions extends FilterOptions, JsonOption {
  readonly since?: string;
}

/**
 * addAccessCommands registers `access request RELATIONSHIP --for DURATION --justification TEXT
 * [--actor SUBJECT]...`, `access list [--status S] [--requester NAME] [--resource TYPE:ID]`,
 * `access tail [the same filters] [--since TOKEN]` (until interrupted), `access get ID`, `access approve ID [--for DURATION] [--note TEXT]`, `access deny ID [--note
 * TEXT]`, `access cancel ID` and `access revoke ID [--note TEXT]`. Each prints the request on one
 * line (`ID pending document:q3#editor@agent:bot for 2h by ops: why`), approve, revoke and tail
 * followed by their token; with --json, `{"id","status","relationship","durationMs",
 * "justification","actors","requestedBy","requestedAt","pendingUntil",["decidedBy","decidedAt",
 * "note"],["grantedAt","grantExpiresAt"],["revokedAt"],["token"]}`.
 */
export function addAccessCommands(
  program: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
): void {
  const access = program
    .command("access")
    .description(
      "access requests: ask for a relationship for a while; a person approves or denies",
    );
  /** run calls the server and prints the request it answers, with a token when there is one. */
  const run = (
    options: JsonOption,
    call: (client: LatchClient) => Promise<{ request?: AccessRequest; token?: string }>,
  ) =>
    callServer(io, async (client) => {
      const { request, token } = await call(client);
      if (request === undefined) throw new Error("the server answered no access request");
      print(io, options, request, token);
      return 0;
    }).then(setExitCode);

  addJsonOption(
    addActorOption(
      access
        .command("request")
        .description("ask for a relationship whose relation allows its subject `with expiration`")
        .argument("<relationship>", "e.g. document:q3#editor@agent:bot")
        .requiredOption(
          "--for <duration>",
          "how long, e.g. 2h (at most 720h)",
          parseLasting("a grant"),
        )
        .requiredOption("--justification <text>", "why, for the approver"),
    ),
  ).action((text: string, options: RequestOptions) =>
    run(options, async (client) => {
      const relationship = parsed("relationship", text, parseRelationship(text));
      const { request } = await client.approvals.requestAccess({
        relationship: relationshipMessage(relationship),
        duration: durationFromMs(options.for),
        justification: options.justification,
        actors: actorsOf(options).map(subjectRefMessage),
      });
      return { ...(request === undefined ? {} : { request }) };
    }),
  );

  addJsonOption(
    addConsistencyOption(
      withFilters(
        access
          .command("list")
          .description("list access requests, by status, requester and resource"),
      ),
    ),
  ).action((options: ListOptions) =>
    callServer(io, async (client) => {
      const filters = filterFields(options);
      const pages = snapshotPages(options.consistency, (page) =>
        client.approvals.listAccessRequests({ ...page, ...filters }),
      );
      for await (const page of pages) {
        for (const request of page.requests) print(io, options, request);
      }
      return 0;
    }).then(setExitCode),
  );

  addJsonOption(
    withFilters(
      access
        .command("tail")
        .description(
          "print access requests as they are made and decided, until interrupted (each with the token of its change)",
        )
        .option("--since <token>", "from the change after this token's revision (default: now)"),
    ),
  ).action((options: TailOptions) =>
    callServer(io, async (client) => {
      const filters = filterFields(options);
      const stop = io.interruption();
      try {
        const stream = client.approvals.watchAccessRequests(
          { since: options.since ?? "", ...filters },
          { signal: stop },
        );
        for await (const { request, changedAt } of stream) {
          if (request !== undefined) print(io, options, request, changedAt);
        }
      } catch (error) {
        if (!stop.aborted) throw error;
      }
      if (stop.aborted) return 0;
      io.stderr(`the server at ${client.endpoint} ended the stream (is it stopping?)\n`);
      return EXIT_USAGE_OR_SERVER_ERROR;
    }).then(setExitCode),
  );

  addJsonOption(
    addConsistencyOption(
      access.command("get").description("show one access request").argument("<id>", "its id"),
    ),
  ).action((id: string, options: JsonOption & ConsistencyOption) =>
    run(options, async (client) => {
      const { request } = await client.approvals.getAccessRequest({
        id,
        ...(options.consistency === undefined ? {} : { consistency: options.consistency }),
      });
      return { ...(request === undefined ? {} : { request }) };
    }),
  );

  addJsonOption(
    access
      .command("approve")
      .description(
        "grant a pending request: its relationship is written, expiring after the duration",
      )
      .argument("<id>", "the request's id")
      .option(
        "--for <duration>",
        "at most the duration asked for (default: all of it)",
        parseLasting("a grant"),
      )
      .option("--note <text>", "why, for the record"),
  ).action((id: string, options: DecideOptions) =>
    run(options, async (client) => {
      const { request, grantedAt } = await client.approvals.approve({
        id,
        note: options.note ?? "",
        ...(options.for === undefined ? {} : { duration: durationFromMs(options.for) }),
      });
      return { ...(request === undefined ? {} : { request }), token: grantedAt };
    }),
  );

  addJsonOption(
    access
      .command("deny")
      .description("refuse a pending request")
      .argument("<id>", "the request's id")
      .option("--note <text>", "why, for the record"),
  ).action((id: string, options: DecideOptions) =>
    run(options, async (client) => {
      const { request } = await client.approvals.deny({ id, note: options.note ?? "" });
      return { ...(request === undefined ? {} : { request }) };
    }),
  );

  addJsonOption(
    access
      .command("cancel")
      .description("withdraw a pending request (the API key that asked, or an admin)")
      .argument("<id>", "the request's id"),
  ).action((id: string, options: JsonOption) =>
    run(options, async (client) => {
      const { request } = await client.approvals.cancel({ id });
      return { ...(request === undefined ? {} : { request }) };
    }),
  );

  addJsonOption(
    access
      .command("revoke")
      .description("end an approved grant before it expires")
      .argument("<id>", "the request's id")
      .option("--note <text>", "why, for the record"),
  ).action((id: string, options: DecideOptions) =>
    run(options, async (client) => {
      const { request, revokedAt } = await client.approvals.revoke({
        id,
        note: options.note ?? "",
      });
      return { ...(request === undefined ? {} : { request }), token: revokedAt };
    }),
  );
}

/** withFilters adds the filters of `access list` and `access tail` to command. */
function withFilters(command: Command): Command {
  return command
    .addOption(new Option("--status <status>", "only those of this status").choices(STATUSES))
    .option("--requester <name>", "only those asked by this API key name")
    .option(
      "--resource <object>",
      "only those for a relationship on this object, e.g. document:q3",
    );
}

/** filterFields are the request fields of the filter options. */
function filterFields(options: FilterOptions) {
  const resource =
    options.resource === undefined
      ? undefined
      : parsed("resource", options.resource, parseObjectRef(options.resource));
  return {
    ...(options.status === undefined ? {} : { status: statusValue(options.status) }),
    requestedBy: options.requester ?? "",
    ...(resource === undefined ? {} : { resource }),
  };
}

function statusValue(status: (typeof STATUSES)[number]): AccessRequestStatus {
  return STATUSES.indexOf(status) + AccessRequestStatus.PENDING;
}

function statusName(status: AccessRequestStatus): string {
  return STATUSES[status - AccessRequestStatus.PENDING] ?? "unknown";
}

/** print writes request as a line of text, or as JSON, with token when given. */
function print(io: CliIo, options: JsonOption, request: AccessRequest, token?: string): void {
  const json = requestJson(request, token);
  printResult(io, options.json, json, () => {
    const parts = [
      `${request.id} ${json.status} ${json.relationship} for ${json.durationMs / 1000}s by ${request.requestedBy}: ${request.justification}`,
    ];
    if (json.decidedBy !== undefined) {
      parts.push(
        `; ${json.status} by ${json.decidedBy}${request.note === "" ? "" : `: ${request.note}`}`,
      );
    }
    if (json.grantExpiresAt !== undefined && json.status === "approved") {
      parts.push(`; until ${json.grantExpiresAt}`);
    }
    if (token !== undefined) parts.push(` (token ${token})`);
    return parts.join("");
  });
}

/** RequestJson is a request as `--json` prints it: optional fields only when set. */
interface RequestJson {
  readonly id: string;
  readonly status: string;
  readonly relationship: string;
  readonly durationMs: number;
  readonly justification: string;
  readonly actors: readonly string[];
  readonly requestedBy: string;
  readonly requestedAt?: string;
  readonly pendingUntil?: string;
  readonly decidedBy?: string;
  readonly decidedAt?: string;
  readonly note?: string;
  readonly grantedAt?: string;
  readonly grantExpiresAt?: string;
  readonly revokedAt?: string;
  readonly token?: string;
}

function requestJson(request: AccessRequest, token?: string): RequestJson {
  const optional = <K extends keyof RequestJson>(key: K, value: string | undefined) =>
    value === undefined || value === "" ? {} : { [key]: value };
  return {
    id: request.id,
    status: statusName(request.status),
    relationship: relationshipText(request.relationship),
    durationMs: request.duration === undefined ? 0 : durationMs(request.duration),
    justification: request.justification,
    actors: request.actors.map((actor) => `${actor.object?.type}:${actor.object?.id}`),
    requestedBy: request.requestedBy,
    ...optional("requestedAt", timeOf(request.requestedAt)),
    ...optional("pendingUntil", timeOf(request.pendingUntil)),
    ...optional("decidedBy", request.decidedBy),
    ...optional("decidedAt", timeOf(request.decidedAt)),
    ...optional("note", request.decidedBy === "" ? undefined : request.note),
    ...optional("grantedAt", request.grantedAt),
    ...optional("grantExpiresAt", timeOf(request.grantExpiresAt)),
    ...optional("revokedAt", request.revokedAt),
    ...optional("token", token),
  };
}

function relationshipText(message: RelationshipMessage | undefined): string {
  const resource = message?.resource;
  const subject = message?.subject;
  if (resource === undefined || subject?.object === undefined) return "";
  return formatRelationship({
    resource: { type: resource.type, id: resource.id },
    relation: message!.relation,
    subject: {
      type: subject.object.type,
      id: subject.object.id,
      ...(subject.relation === "" ? {} : { relation: subject.relation }),
    },
  });
}

function timeOf(timestamp: Timestamp | undefined): string | undefined {
  return timestamp === undefined ? undefined : formatTimestamp(timestampDate(timestamp));
}
