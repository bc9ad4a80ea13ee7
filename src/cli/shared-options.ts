// The options several server commands share: --json, --consistency, --context, --actor and --for.

import type { JsonObject, MessageInitShape } from "@bufbuild/protobuf";
import { type Command, InvalidArgumentError, Option } from "commander";
import type { ConsistencySchema } from "../gen/latch/v1/core_pb.js";
import { parseGoDuration } from "../schema/caveat/go-duration.js";
import { parseSubjectRef } from "../tuple/parse-ref.js";
import type { SubjectRef } from "../tuple/relationship.js";
import { parsed } from "./usage-error.js";

/** ConsistencyInit is a Consistency message as requests take it. */
export type ConsistencyInit = MessageInitShape<typeof ConsistencySchema>;

/** JsonOption is the parsed `--json` flag. */
export interface JsonOption {
  readonly json?: boolean;
}

/** ConsistencyOption is the parsed `--consistency` flag. */
export interface ConsistencyOption {
  readonly consistency?: ConsistencyInit;
}

/** ContextOption is the parsed `--context` flag. */
export interface ContextOption {
  readonly context?: JsonObject;
}

/** ActorOption is the `--actor` flags, as given. */
export interface ActorOption {
  readonly actor?: readonly string[];
}

/** addActorOption adds `--actor SUBJECT`, repeatable: the agents acting for the subject, nearest first. */
export function addActorOption(command: Command): Command {
  return command.option(
    "--actor <subject>",
    "an agent acting for the subject, e.g. agent:bot; repeat it for a chain, the subject's direct delegate first",
    (value: string, previous: readonly string[] = []) => [...previous, value],
  );
}

/** actorsOf parses the --actor flags: a UsageError, with a caret, for one that does not parse. */
export function actorsOf(options: ActorOption): SubjectRef[] {
  return (options.actor ?? []).map((text) => parsed("actor", text, parseSubjectRef(text)));
}

/** addJsonOption adds `--json`: print one JSON object a line instead of text. */
export function addJsonOption(command: Command): Command {
  return command.option("--json", "print one JSON object a line");
}

/** addConsistencyOption adds `--consistency MODE`, as SpiceDB's consistency modes. */
export function addConsistencyOption(command: Command): Command {
  return command.addOption(
    new Option(
      "--consistency <mode>",
      "minimize_latency (the default), fully_consistent, at_least_as_fresh=TOKEN or at_exact_snapshot=TOKEN",
    ).argParser(parseConsistency),
  );
}

/** addContextOption adds `--context JSON`: caveat parameters known at request time. */
export function addContextOption(command: Command): Command {
  return command.addOption(
    new Option(
      "--context <json>",
      'caveat parameters as a JSON object, e.g. \'{"ip":"10.0.0.1"}\'',
    ).argParser(parseContext),
  );
}

/** requestFields are the --context and --consistency a command was given, as request fields. */
export function requestFields(options: ContextOption & ConsistencyOption): {
  context?: JsonObject;
  consistency?: ConsistencyInit;
} {
  return {
    ...(options.context === undefined ? {} : { context: options.context }),
    ...(options.consistency === undefined ? {} : { consistency: options.consistency }),
  };
}

/** parseConsistency reads `minimize_latency`, `fully_consistent`, `at_least_as_fresh=TOKEN` or `at_exact_snapshot=TOKEN`. */
function parseConsistency(text: string): ConsistencyInit {
  const [mode, token] = splitOnce(text, "=");
  if (token === undefined) {
    if (mode === "minimize_latency")
      return { requirement: { case: "minimizeLatency", value: true } };
    if (mode === "fully_consistent")
      return { requirement: { case: "fullyConsistent", value: true } };
  } else if (token !== "") {
    if (mode === "at_least_as_fresh")
      return { requirement: { case: "atLeastAsFresh", value: token } };
    if (mode === "at_exact_snapshot")
      return { requirement: { case: "atExactSnapshot", value: token } };
  }
  throw new InvalidArgumentError(
    "expected minimize_latency, fully_consistent, at_least_as_fresh=TOKEN or at_exact_snapshot=TOKEN",
  );
}

function parseContext(text: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidArgumentError(`not JSON: ${(error as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError("expected a JSON object");
  }
  return value as JsonObject;
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at === -1 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

/**
 * parseLasting makes the parser of a `--for DURATION` option of what (`a suspension`): a positive
 * Go duration (`30m`, `1h30m`), in milliseconds.
 */
export function parseLasting(what: string): (text: string) => number {
  return (text) => {
    const duration = parseGoDuration(text);
    if (typeof duration === "string") throw new InvalidArgumentError(duration);
    const ms = Number(duration.seconds) * 1000 + duration.nanos / 1e6;
    if (ms <= 0) throw new InvalidArgumentError(`${what} must last a positive time, e.g. 30m`);
    return ms;
  };
}
