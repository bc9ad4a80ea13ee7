// SpiceDB's core messages (references, relationships, consistency, tokens) as Latch's, and back.

import { protobuf, type v1 } from "@authzed/authzed-node";
import type { DescMessage, JsonObject, MessageInitShape } from "@bufbuild/protobuf";
import type {
  ConsistencySchema,
  ObjectRefSchema,
  RelationshipSchema,
  SubjectRefSchema,
} from "../gen/latch/v1/core_pb.js";

type Init<S extends DescMessage> = MessageInitShape<S>;

/** ObjectRefShape is a Latch object reference, as a message or as a message's init. */
interface ObjectRefShape {
  readonly type?: string;
  readonly id?: string;
}

/** SubjectRefShape is a Latch subject reference, as a message or as a message's init. */
interface SubjectRefShape {
  readonly object?: ObjectRefShape;
  readonly relation?: string;
}

/** latchObject is a SpiceDB object reference as Latch's. */
export function latchObject(
  ref: v1.ObjectReference | undefined,
): Init<typeof ObjectRefSchema> | undefined {
  return ref === undefined ? undefined : { type: ref.objectType, id: ref.objectId };
}

/** latchSubject is a SpiceDB subject reference as Latch's (`optional_relation` is `relation`). */
export function latchSubject(
  ref: v1.SubjectReference | undefined,
): Init<typeof SubjectRefSchema> | undefined {
  if (ref === undefined) return undefined;
  return { object: latchObject(ref.object), relation: ref.optionalRelation };
}

/** spiceObject is a Latch object reference as SpiceDB's. */
export function spiceObject(ref: ObjectRefShape | undefined): v1.ObjectReference {
  return { objectType: ref?.type ?? "", objectId: ref?.id ?? "" };
}

/** spiceSubject is a Latch subject reference as SpiceDB's. */
export function spiceSubject(ref: SubjectRefShape | undefined): v1.SubjectReference {
  return { object: spiceObject(ref?.object), optionalRelation: ref?.relation ?? "" };
}

/** latchContext is a caveat context (google.protobuf.Struct) as the JSON object Latch reads. */
export function latchContext(struct: protobuf.Struct | undefined): JsonObject | undefined {
  return struct === undefined ? undefined : (protobuf.Struct.toJson(struct) as JsonObject);
}

/** latchRelationship is a SpiceDB relationship as Latch's: its caveat, its expiry. */
export function latchRelationship(rel: v1.Relationship): Init<typeof RelationshipSchema> {
  const caveat = rel.optionalCaveat;
  const expires = rel.optionalExpiresAt;
  return {
    resource: latchObject(rel.resource),
    relation: rel.relation,
    subject: latchSubject(rel.subject),
    ...(caveat === undefined
      ? {}
      : { caveat: { name: caveat.caveatName, context: latchContext(caveat.context) } }),
    ...(expires === undefined
      ? {}
      : { expiresAt: { seconds: BigInt(expires.seconds), nanos: expires.nanos } }),
  };
}

/** spiceRelationship is a Latch relationship (a message or its init) as SpiceDB's. */
export function spiceRelationship(rel: Init<typeof RelationshipSchema>): v1.Relationship {
  const { caveat, expiresAt } = rel;
  return {
    resource: spiceObject(rel.resource),
    relation: rel.relation ?? "",
    subject: spiceSubject(rel.subject),
    ...(caveat === undefined
      ? {}
      : {
          optionalCaveat: {
            caveatName: caveat.name ?? "",
            ...(caveat.context === undefined
              ? {}
              : { context: protobuf.Struct.fromJson(caveat.context) }),
          },
        }),
    ...(expiresAt === undefined
      ? {}
      : {
          optionalExpiresAt: spiceTimestamp({
            seconds: expiresAt.seconds ?? 0n,
            nanos: expiresAt.nanos ?? 0,
          }),
        }),
  };
}

/** spiceTimestamp is a Latch timestamp as SpiceDB's (its seconds a decimal string). */
export function spiceTimestamp(time: {
  readonly seconds: bigint;
  readonly nanos: number;
}): protobuf.Timestamp {
  return { seconds: time.seconds.toString(), nanos: time.nanos };
}

/**
 * latchConsistency is a SpiceDB consistency as Latch's, one to one: a ZedToken is a Latch token.
 * Unset stays unset (minimize_latency in both).
 */
export function latchConsistency(
  consistency: v1.Consistency | undefined,
): Init<typeof ConsistencySchema> | undefined {
  const requirement = consistency?.requirement;
  switch (requirement?.oneofKind) {
    case "minimizeLatency":
      return { requirement: { case: "minimizeLatency", value: requirement.minimizeLatency } };
    case "fullyConsistent":
      return { requirement: { case: "fullyConsistent", value: requirement.fullyConsistent } };
    case "atLeastAsFresh":
      return {
        requirement: { case: "atLeastAsFresh", value: requirement.atLeastAsFresh.token },
      };
    case "atExactSnapshot":
      return {
        requirement: { case: "atExactSnapshot", value: requirement.atExactSnapshot.token },
      };
    default:
      return undefined;
  }
}

/** zedToken is a Latch token as a ZedToken; none when Latch sent none. */
export function zedToken(token: string | undefined): v1.ZedToken | undefined {
  return token === undefined || token === "" ? undefined : { token };
}

/** spiceCursor is a Latch cursor as SpiceDB's Cursor; none when Latch sent none. */
export function spiceCursor(cursor: string | undefined): v1.Cursor | undefined {
  return cursor === undefined || cursor === "" ? undefined : { token: cursor };
}
