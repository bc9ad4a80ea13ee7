// Alerts in the order a person reads them: the latest raised first.

import type { Alert } from "../../../src/gen/latch/v1/alert_service_pb.js";
import type { ById } from "../api/by-id.js";

/** newestFirst lists alerts by id (the order they were raised in), newest first. */
export function newestFirst(alerts: ById<Alert>): Alert[] {
  return [...alerts.values()].sort((a, b) => Number(BigInt(b.id) - BigInt(a.id)));
}
