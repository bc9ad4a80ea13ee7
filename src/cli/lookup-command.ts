// `latch lookup-resources` and `latch lookup-subjects`: which objects, or which subjects, a permission reaches.

import type { Command } from "commander";
import { objectRefMessage, subjectRefMessage } from "../api/convert/write-messages.js";
import { callServer } from "./call-server.js";
import type { CliIo } from "./cli-io.js";
import { printResult } from "./cli-output.js";
import { parseLookupResourcesQuery, parseLookupSubjectsQuery } from "./query-arguments.js";
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

type LookupOptions = JsonOption & ConsistencyOption & ContextOption;
type LookupResourcesOptions = LookupOptions & ActorOption;

/**
 * addLookupCommands registers `lookup-resources` and `lookup-subjects`. Each prints one object a
 * line (`document:plan`, `user:alice`), conditional ones followed by `(conditional on ip)` and a
 * wildcard by the subjects it excludes; with --json `{"resource"|"subject", "conditional",
 * "missingParameters", ["excluded"], "token"}`.
 */
export function addLookupCommands(
  program: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
): void {
  const options = (command: Command) =>
    addJsonOption(addConsistencyOption(addContextOption(command)));
  options(
    addActorOption(
      program
        .command("lookup-resources")
        .description(
          "print the resources of a type on which a subject (and every --actor acting for it) has a permission",
        )
        .argument("<lookup>", "TYPE#PERMISSION@SUBJECT, e.g. document#view@user:alice"),
    ),
  ).action(async (text: string, flags: LookupResourcesOptions) => {
    const code = await callServer(io, async (client) => {
      const query = parseLookupResourcesQuery(text);
      const found = client.permissions.lookupResources({
        resourceType: query.resourceType,
        permission: query.permission,
        subject: subjectRefMessage(query.subject),
        actors: actorsOf(flags).map(subjectRefMessage),
        ...requestFields(flags),
      });
      for await (const item of found) {
        const resource = `${query.resourceType}:${item.resourceId}`;
        const json = {
          resource,
          conditional: item.conditional,
          missingParameters: item.missingParameters,
          token: item.lookedUpAt,
        };
        printResult(io, flags.json, json, () => resource + condition(item.missingParameters));
      }
      return 0;
    });
    setExitCode(code);
  });
  options(
    program
      .command("lookup-subjects")
      .description("print the subjects of a type that have a permission on a resource")
      .argument(
        "<lookup>",
        "RESOURCE#PERMISSION@SUBJECT_TYPE, e.g. document:plan#view@user or document:plan#view@group#member",
      ),
  ).action(async (text: string, flags: LookupOptions) => {
    const code = await callServer(io, async (client) => {
      const query = parseLookupSubjectsQuery(text);
      const found = client.permissions.lookupSubjects({
        resource: objectRefMessage(query.resource),
        permission: query.permission,
        subjectType: query.subjectType,
        subjectRelation: query.subjectRelation,
        ...requestFields(flags),
      });
      const set = query.subjectRelation === "" ? "" : `#${query.subjectRelation}`;
      for await (const item of found) {
        const subject = `${query.subjectType}:${item.subjectId}${set}`;
        const excluded = item.excludedSubjectIds.map((id) => `${query.subjectType}:${id}`);
        const json = {
          subject,
          conditional: item.conditional,
          missingParameters: item.missingParameters,
          ...(excluded.length === 0 ? {} : { excluded }),
          token: item.lookedUpAt,
        };
        const except = excluded.length === 0 ? "" : ` except ${excluded.join(", ")}`;
        printResult(
          io,
          flags.json,
          json,
          () => subject + except + condition(item.missingParameters),
        );
      }
      return 0;
    });
    setExitCode(code);
  });
}

function condition(missing: readonly string[]): string {
  return missing.length === 0 ? "" : ` (conditional on ${missing.join(", ")})`;
}
