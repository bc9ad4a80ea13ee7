// Asks Latch, on behalf of a session's person, whether its agents may use a tool; turns denials into access requests.

import type { JsonObject, MessageInitShape } from "@bufbuild/protobuf";
import {
  type AccessRequest,
  AccessRequestStatus,
  type GetAccessRequestRequestSchema,
  type GetAccessRequestResponse,
  type RequestAccessRequestSchema,
  type RequestAccessResponse,
} from "../gen/latch/v1/approval_service_pb.js";
import type { Relationship } from "../gen/latch/v1/core_pb.js";
import {
  type CheckBulkRequestSchema,
  type CheckBulkResponse,
  type CheckBulkResponseItem,
  type CheckRequestSchema,
  type CheckResponse,
  CheckResult,
  DenialReason,
} from "../gen/latch/v1/permission_service_pb.js";
import type { Identity } from "./identity.js";
import type { CheckTarget } from "./tool-resource.js";

/** Verdict is Latch's answer to a call: allowed, or why not and the access request made for it. */
export type Verdict =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly reason: string; readonly accessRequestId?: string };

/**
 * LatchApi is the part of Latch's API the gateway calls, as the gateway's key. A standalone
 * gateway calls it over gRPC (a Connect client of Latch); the gateway of `latch serve` calls the
 * server's own implementation in process (see LatchServer.inProcessClient): the same checks,
 * cache, decision log and access requests, without a round trip per call.
 */
export interface LatchApi {
  readonly permissions: {
    check(request: MessageInitShape<typeof CheckRequestSchema>): Promise<CheckResponse>;
    checkBulk(request: MessageInitShape<typeof CheckBulkRequestSchema>): Promise<CheckBulkResponse>;
  };
  readonly approvals: {
    requestAccess(
      request: MessageInitShape<typeof RequestAccessRequestSchema>,
    ): Promise<RequestAccessResponse>;
    getAccessRequest(
      request: MessageInitShape<typeof GetAccessRequestRequestSchema>,
    ): Promise<GetAccessRequestResponse>;
  };
}

type Answer = CheckResponse | CheckBulkResponseItem;

/**
 * Authorizer asks Latch about a session's identity: `listable` with one CheckBulk for a listing,
 * `authorize` before a call. Each question carries its origin, which Latch records with the
 * decision. A denial that Latch says is requestable becomes an access request for the member
 * that failed, of `grantMinutes`; a pending one for the same relationship is reused.
 */
export class Authorizer {
  private readonly pending = new Map<string, string>();

  constructor(
    private readonly latch: LatchApi,
    private readonly grantMinutes: number,
  ) {}

  /** listable says, for each target (undefined: none could be made), whether the chain may use it. */
  async listable(
    identity: Identity,
    targets: readonly (CheckTarget | undefined)[],
    origins: readonly JsonObject[],
  ): Promise<boolean[]> {
    const asked = targets.flatMap((target, i) =>
      target === undefined ? [] : [{ target, origin: origins[i]! }],
    );
    if (asked.length === 0) return targets.map(() => false);
    const { pairs } = await this.latch.permissions.checkBulk({
      items: asked.map(({ target, origin }) => item(identity, target, origin)),
    });
    // A conditional answer lists the tool: the arguments of a call may meet the condition.
    const answers = pairs.map(
      (p) => p.response.case === "item" && p.response.value.result !== CheckResult.DENIED,
    );
    let next = 0;
    return targets.map((target) => target !== undefined && answers[next++] === true);
  }

  /** authorize asks every target of a call; the first that is not allowed decides. */
  async authorize(
    identity: Identity,
    targets: readonly CheckTarget[],
    origin: JsonObject,
    why: string,
  ): Promise<Verdict> {
    let answers: Answer[];
    if (targets.length === 1) {
      answers = [await this.latch.permissions.check(item(identity, targets[0]!, origin))];
    } else {
      const { pairs } = await this.latch.permissions.checkBulk({
        items: targets.map((target) => item(identity, target, origin)),
      });
      answers = pairs.map((p) => {
        if (p.response.case !== "item")
          throw new Error(`Latch refused a check: ${p.response.value?.message}`);
        return p.response.value;
      });
    }
    for (const [i, answer] of answers.entries()) {
      if (answer.result === CheckResult.ALLOWED) continue;
      const reason = denialText(identity, targets[i]!, answer);
      const requestable = answer.requestable[0];
      if (requestable === undefined) return { allowed: false, reason };
      const accessRequestId = await this.requestAccess(identity, requestable, why);
      return { allowed: false, reason, accessRequestId };
    }
    return { allowed: true };
  }

  private async requestAccess(
    identity: Identity,
    relationship: Relationship,
    why: string,
  ): Promise<string> {
    const key = relationshipText(relationship);
    const known = this.pending.get(key);
    if (known !== undefined && (await this.stillPending(known))) return known;
    const denied = refText(relationship.subject?.object);
    const chain = [identity.subject, ...identity.actors];
    const before = chain.slice(0, Math.max(0, chain.indexOf(denied)));
    const { request } = await this.latch.approvals.requestAccess({
      relationship,
      duration: { seconds: BigInt(this.grantMinutes * 60) },
      justification: why.slice(0, 1024),
      actors: before.map(subjectRef),
    });
    const id = (request as AccessRequest).id;
    this.pending.set(key, id);
    return id;
  }

  private async stillPending(id: string): Promise<boolean> {
    const { request } = await this.latch.approvals.getAccessRequest({ id });
    return request?.status === AccessRequestStatus.PENDING;
  }
}

function item(identity: Identity, target: CheckTarget, origin: JsonObject) {
  return {
    resource: target.resource,
    permission: target.permission,
    subject: subjectRef(identity.subject),
    actors: identity.actors.map(subjectRef),
    ...(target.context === undefined ? {} : { context: target.context }),
    origin,
  };
}

function subjectRef(ref: string) {
  const colon = ref.indexOf(":");
  return { object: { type: ref.slice(0, colon), id: ref.slice(colon + 1) } };
}

function refText(ref: { type: string; id: string } | undefined): string {
  return ref === undefined ? "" : `${ref.type}:${ref.id}`;
}

function relationshipText(r: Relationship): string {
  return `${refText(r.resource)}#${r.relation}@${refText(r.subject?.object)}`;
}

/** denialText says who in the chain failed on target, and why, in a sentence. */
function denialText(identity: Identity, target: CheckTarget, answer: Answer): string {
  const on = `${target.permission} on ${target.resource.type}:${target.resource.id}`;
  if (answer.result === CheckResult.CONDITIONAL) {
    return `denied: ${on} depends on ${answer.missingParameters.join(", ")}, which the call did not give`;
  }
  const who =
    answer.deniedBy?.object === undefined ? identity.subject : refText(answer.deniedBy.object);
  switch (answer.reason) {
    case DenialReason.SUSPENDED:
      return `denied: ${who} is suspended`;
    case DenialReason.NOT_DELEGATED:
      return `denied: ${who} may not act for the one before it in the chain`;
    case DenialReason.CONDITION_FALSE:
      return `denied: ${who} has ${on} only under a condition the call does not meet`;
    default:
      return `denied: ${who} does not have ${on}`;
  }
}
