// Server benchmark requests, encoded once: a small hot set that repeats (also on behalf of its users
// by their agents), distinct cold checks, and the Zipf workload's checks with the writes that touch
// their documents.

import { v1 } from "@authzed/authzed-node";
import { create, toBinary } from "@bufbuild/protobuf";
import { CheckRequestSchema } from "../../src/gen/latch/v1/permission_service_pb.js";
import {
  RelationshipUpdate_Operation,
  WriteRelationshipsRequestSchema,
} from "../../src/gen/latch/v1/relationship_service_pb.js";
import { agentOf } from "./bench-agents.js";
import { seededRandom } from "./engine-dataset.js";
import { frameMessage } from "./server-bench-client.js";

/** HOT_CHECKS is the size of the hot working set, repeated throughout its phase. */
export const HOT_CHECKS = 100;
/** COLD_CHECKS is how many distinct cold checks there are; the cold phase asks each one once. */
export const COLD_CHECKS = 100_000;
/** ZIPF_CHECKS is how many distinct checks the Zipf workload draws from. */
export const ZIPF_CHECKS = 100_000;
/** WARM_UP_CHECKS is the warm-up's own checks, shared with neither measured set. */
const WARM_UP_CHECKS = 20_000;
/** WRITER is the user the Zipf workload's writes add to and remove from documents: no check asks about it. */
const WRITER = "bench_writer";

/** ZipfChecks are the Zipf workload's checks, by rank, and the document each one asks about. */
export interface ZipfChecks {
  readonly checks: readonly Buffer[];
  readonly documents: readonly string[];
}

/** CheckSets are CheckRequest messages, encoded and framed; no (document, user) pair repeats. */
export interface CheckSets {
  readonly hot: readonly Buffer[];
  /** The hot set's checks again, each on behalf of its user by the user's agent (see agentsFor). */
  readonly hotOnBehalf: readonly Buffer[];
  /** The hot set's checks again, as SpiceDB's CheckPermission requests. */
  readonly hotSpiceDb: readonly Buffer[];
  /** The users the hot set asks about: the ones with agents. */
  readonly hotUsers: ReadonlySet<string>;
  readonly cold: readonly Buffer[];
  readonly warmUp: readonly Buffer[];
  readonly zipf: ZipfChecks;
}

/**
 * makeCheckSets draws `document:dN#view@user:uM` checks over the engine benchmark's documents and
 * users, from a fixed seed, so every run asks the same questions.
 */
export function makeCheckSets(documents: number, users: number): CheckSets {
  const random = seededRandom(7);
  const seen = new Set<string>();
  const hotPairs: [string, string][] = [];
  const draw = (count: number): ZipfChecks => {
    const checks: Buffer[] = [];
    const drawn: string[] = [];
    while (checks.length < count) {
      const document = `d${Math.floor(random() * documents)}`;
      const user = `u${Math.floor(random() * users)}`;
      const key = `${document}@${user}`;
      if (seen.has(key)) continue;
      seen.add(key);
      checks.push(encodeCheck(document, user));
      drawn.push(document);
      if (hotPairs.length < HOT_CHECKS) hotPairs.push([document, user]);
    }
    return { checks, documents: drawn };
  };
  return {
    hot: draw(HOT_CHECKS).checks,
    hotOnBehalf: hotPairs.map(([document, user]) => encodeCheck(document, user, agentOf(user))),
    hotSpiceDb: hotPairs.map(([document, user]) => encodeSpiceDbCheck(document, user)),
    hotUsers: new Set(hotPairs.map(([, user]) => user)),
    warmUp: draw(WARM_UP_CHECKS).checks,
    cold: draw(COLD_CHECKS).checks,
    zipf: draw(ZIPF_CHECKS),
  };
}

/**
 * encodeWriterUpdate is a WriteRelationships request that adds (TOUCH) or removes (DELETE)
 * `document:<document>#viewer@user:bench_writer`: a change to a set every check on that document
 * reads, so it invalidates their cached results without changing their answers.
 */
export function encodeWriterUpdate(document: string, add: boolean): Buffer {
  return frameMessage(
    toBinary(
      WriteRelationshipsRequestSchema,
      create(WriteRelationshipsRequestSchema, {
        updates: [
          {
            operation: add
              ? RelationshipUpdate_Operation.TOUCH
              : RelationshipUpdate_Operation.DELETE,
            relationship: {
              resource: { type: "document", id: document },
              relation: "viewer",
              subject: { object: { type: "user", id: WRITER } },
            },
          },
        ],
      }),
    ),
  );
}

/** encodeCheck is `document:<document>#view@user:<user>`, asked by `agent` on the user's behalf if given. */
function encodeCheck(document: string, user: string, agent?: string): Buffer {
  return frameMessage(
    toBinary(
      CheckRequestSchema,
      create(CheckRequestSchema, {
        resource: { type: "document", id: document },
        permission: "view",
        subject: { object: { type: "user", id: user } },
        actors: agent === undefined ? [] : [{ object: { type: "agent", id: agent } }],
      }),
    ),
  );
}

/** encodeSpiceDbCheck is `document:<document>#view@user:<user>` as SpiceDB's CheckPermission. */
function encodeSpiceDbCheck(document: string, user: string): Buffer {
  return frameMessage(
    v1.CheckPermissionRequest.toBinary(
      v1.CheckPermissionRequest.create({
        resource: { objectType: "document", objectId: document },
        permission: "view",
        subject: { object: { objectType: "user", objectId: user }, optionalRelation: "" },
      }),
    ),
  );
}
