// The clients of Latch's public services over a given transport: shared by the CLI (gRPC from
// Node) and the console (Connect from the browser), so that neither needs the other's transport.

import { type Client, createClient, type Interceptor, type Transport } from "@connectrpc/connect";
import { AgentService } from "../gen/latch/v1/agent_service_pb.js";
import { AlertService } from "../gen/latch/v1/alert_service_pb.js";
import { ApprovalService } from "../gen/latch/v1/approval_service_pb.js";
import { DecisionService } from "../gen/latch/v1/decision_service_pb.js";
import { KeyService } from "../gen/latch/v1/key_service_pb.js";
import { PermissionService } from "../gen/latch/v1/permission_service_pb.js";
import { RelationshipService } from "../gen/latch/v1/relationship_service_pb.js";
import { SchemaService } from "../gen/latch/v1/schema_service_pb.js";

/** LATCH_SERVICES are Latch's public services, by the name their client goes by. */
const LATCH_SERVICES = {
  permissions: PermissionService,
  relationships: RelationshipService,
  schema: SchemaService,
  agents: AgentService,
  approvals: ApprovalService,
  decisions: DecisionService,
  alerts: AlertService,
  keys: KeyService,
} as const;

type LatchServices = typeof LATCH_SERVICES;

/** ServiceClients holds a client of each public service, over one transport. */
export type ServiceClients = {
  readonly [Name in keyof LatchServices]: Client<LatchServices[Name]>;
};

/** createServiceClients returns a client of each public service, all calling through transport. */
export function createServiceClients(transport: Transport): ServiceClients {
  const clients: Partial<Record<keyof LatchServices, unknown>> = {};
  for (const [name, service] of Object.entries(LATCH_SERVICES)) {
    clients[name as keyof LatchServices] = createClient(service, transport);
  }
  return clients as ServiceClients;
}

/** bearerToken sends token as `authorization: Bearer TOKEN` on every call. */
export function bearerToken(token: string): Interceptor {
  return (next) => (request) => {
    request.header.set("authorization", `Bearer ${token}`);
    return next(request);
  };
}
