// An alert as the API returns it.

import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { Alert } from "../../alerts/alert.js";
import { type AlertSchema, AlertStatus } from "../../gen/latch/v1/alert_service_pb.js";

/** alertMessage is alert as an Alert message. */
export function alertMessage(alert: Alert): MessageInitShape<typeof AlertSchema> {
  return {
    id: alert.id,
    rule: alert.rule,
    key: alert.key,
    raisedAt: timestampFromDate(new Date(alert.raisedAt)),
    decisionId: alert.decisionId,
    decidedAt: timestampFromDate(new Date(alert.decidedAt)),
    agent: alert.agent,
    principal: alert.principal,
    resource: alert.resource,
    permission: alert.permission,
    result: alert.result,
    reason: alert.reason,
    count: alert.count,
    summary: alert.summary,
    status: alert.status === "open" ? AlertStatus.OPEN : AlertStatus.ACKNOWLEDGED,
    acknowledgedBy: alert.acknowledgedBy ?? "",
    ...(alert.acknowledgedAt === undefined
      ? {}
      : { acknowledgedAt: timestampFromDate(new Date(alert.acknowledgedAt)) }),
    note: alert.note ?? "",
  };
}
