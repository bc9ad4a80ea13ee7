// What every load script shares: where Latch is, its API key, and the requests it asks.

import { Client, type Params, StatusOK } from "k6/net/grpc";
import type { SeededCheck } from "./dataset.ts";

/** CHECK is the full name of Latch's Check method. */
export const CHECK = "latch.v1.PermissionService/Check";
/** WRITE is the full name of Latch's WriteRelationships method. */
export const WRITE = "latch.v1.RelationshipService/WriteRelationships";

/** target is LATCH_TARGET (host:port of Latch's gRPC port), localhost:50051 by default. */
export function target(): string {
  return __ENV.LATCH_TARGET || "localhost:50051";
}

/** metadata carries LATCH_API_KEY as `authorization: Bearer …`, or nothing in development mode. */
export function metadata(): Record<string, string> {
  const key = __ENV.LATCH_API_KEY;
  return key ? { authorization: `Bearer ${key}` } : {};
}

/** params are a call's parameters: the API key and the given tags. */
export function params(tags: Record<string, string> = {}): Params {
  return { metadata: metadata(), tags };
}

/** connect opens a client to Latch, which describes its services by reflection. */
export function connect(): Client {
  const client = new Client();
  client.connect(target(), { plaintext: true, reflect: true, reflectMetadata: metadata() });
  return client;
}

/** checkRequest is the Check request of a seeded check, on behalf of its user when it has an agent. */
export function checkRequest(check: SeededCheck, token = ""): object {
  return {
    resource: { type: "document", id: check.document },
    permission: "view",
    subject: { object: { type: "user", id: check.user } },
    actors: check.agent === "" ? [] : [{ object: { type: "agent", id: check.agent } }],
    consistency: token === "" ? { minimizeLatency: true } : { atLeastAsFresh: token },
  };
}

/** resultOf names a Check response's result, or the failed call's status. */
export function resultOf(response: { status: number; message: object | null }): string {
  if (response.status !== StatusOK) return `status ${response.status}`;
  return (response.message as { result?: string }).result ?? "";
}

/** expectedResult is the result a seeded check must answer. */
export function expectedResult(check: SeededCheck): string {
  return check.allowed ? "CHECK_RESULT_ALLOWED" : "CHECK_RESULT_DENIED";
}
