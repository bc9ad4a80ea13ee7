// The CLI's connection to a running server: gRPC to LATCH_ENDPOINT, with LATCH_TOKEN as the API key.

import { type Client, createClient, type Interceptor } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { PermissionService } from "../gen/latch/v1/permission_service_pb.js";
import { RelationshipService } from "../gen/latch/v1/relationship_service_pb.js";
import { SchemaService } from "../gen/latch/v1/schema_service_pb.js";

/** DEFAULT_ENDPOINT is where `latch serve` listens for gRPC when LATCH_ENDPOINT is not set. */
const DEFAULT_ENDPOINT = "localhost:50051";

/** LatchClient holds a client for each Latch service, over one connection. */
export interface LatchClient {
  /** endpoint is the server's address, for messages. */
  readonly endpoint: string;
  readonly permissions: Client<typeof PermissionService>;
  readonly relationships: Client<typeof RelationshipService>;
  readonly schema: Client<typeof SchemaService>;
  /** close drops the connection, which would otherwise keep the process alive. */
  close(): void;
}

/**
 * createLatchClient connects to `LATCH_ENDPOINT` (`host:port`, or a URL; default
 * {@link DEFAULT_ENDPOINT}) over gRPC in plaintext, sending `LATCH_TOKEN`, when set, as
 * `authorization: Bearer <token>`. The connection opens at the first call.
 */
export function createLatchClient(env: Readonly<Record<string, string | undefined>>): LatchClient {
  const endpoint = env.LATCH_ENDPOINT || DEFAULT_ENDPOINT;
  const baseUrl = endpoint.includes("://") ? endpoint : `http://${endpoint}`;
  const sessionManager = new Http2SessionManager(baseUrl);
  const token = env.LATCH_TOKEN;
  const transport = createGrpcTransport({
    baseUrl,
    sessionManager,
    interceptors: token ? [bearer(token)] : [],
  });
  return {
    endpoint,
    permissions: createClient(PermissionService, transport),
    relationships: createClient(RelationshipService, transport),
    schema: createClient(SchemaService, transport),
    close: () => sessionManager.abort(),
  };
}

function bearer(token: string): Interceptor {
  return (next) => (request) => {
    request.header.set("authorization", `Bearer ${token}`);
    return next(request);
  };
}
