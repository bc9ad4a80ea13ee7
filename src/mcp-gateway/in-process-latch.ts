// The Latch the gateway of `latch serve` asks: the server it runs in, called in process.

import type { LatchServer } from "../api/latch-server.js";
import { ApprovalService } from "../gen/latch/v1/approval_service_pb.js";
import { PermissionService } from "../gen/latch/v1/permission_service_pb.js";
import type { LatchApi } from "./authorizer.js";

/**
 * inProcessLatch is the LatchApi of a gateway in server's process: its calls go to the server's
 * own services as those of a client sending token (LATCH_TOKEN) would, with no gRPC round trip.
 */
export function inProcessLatch(
  server: Pick<LatchServer, "inProcessClient">,
  token: string | undefined,
): LatchApi {
  const header: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  return {
    permissions: server.inProcessClient(PermissionService, header),
    approvals: server.inProcessClient(ApprovalService, header),
  };
}
