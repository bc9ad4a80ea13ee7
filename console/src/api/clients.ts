// The console's clients of Latch's public Connect API, one per service, each call carrying the key.

import { type Client, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { AgentService } from "../../../src/gen/latch/v1/agent_service_pb.js";
import { AlertService } from "../../../src/gen/latch/v1/alert_service_pb.js";
import { ApprovalService } from "../../../src/gen/latch/v1/approval_service_pb.js";
import { DecisionService } from "../../../src/gen/latch/v1/decision_service_pb.js";
import { KeyService } from "../../../src/gen/latch/v1/key_service_pb.js";
import { PermissionService } from "../../../src/gen/latch/v1/permission_service_pb.js";
import { RelationshipService } from "../../../src/gen/latch/v1/relationship_service_pb.js";
import { SchemaService } from "../../../src/gen/latch/v1/schema_service_pb.js";

/** Clients holds a client of each service the console uses. */
export interface Clients {
  readonly permissions: Client<typeof PermissionService>;
  readonly relationships: Client<typeof RelationshipService>;
  readonly schema: Client<typeof SchemaService>;
  readonly agents: Client<typeof AgentService>;
  readonly approvals: Client<typeof ApprovalService>;
  readonly decisions: Client<typeof DecisionService>;
  readonly alerts: Client<typeof AlertService>;
  readonly keys: Client<typeof KeyService>;
}

/**
 * UNARY_TIMEOUT_MS bounds every unary call: a slow server shows an error in words, never a page
 * that waits forever. Streams have no deadline; leaving their page cancels them.
 */
export const UNARY_TIMEOUT_MS = 15_000;

/**
 * createClients returns clients that call the server the console was served by, with
 * `authorization: Bearer KEY` on every call when apiKey is given (none in development mode).
 */
export function createClients(apiKey: string | undefined): Clients {
  const withKey: Interceptor = (next) => (request) => {
    if (apiKey !== undefined) request.header.set("authorization", `Bearer ${apiKey}`);
    return next(request);
  };
  const transport = createConnectTransport({
    baseUrl: window.location.origin,
    interceptors: [withKey],
  });
  return {
    permissions: createClient(PermissionService, transport),
    relationships: createClient(RelationshipService, transport),
    schema: createClient(SchemaService, transport),
    agents: createClient(AgentService, transport),
    approvals: createClient(ApprovalService, transport),
    decisions: createClient(DecisionService, transport),
    alerts: createClient(AlertService, transport),
    keys: createClient(KeyService, transport),
  };
}
