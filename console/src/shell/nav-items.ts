// The console's pages, in the order the navigation lists them, each with the call it cannot do without.

import type { DescMethod } from "@bufbuild/protobuf";
import { AgentService } from "../../../src/gen/latch/v1/agent_service_pb.js";
import { AlertService } from "../../../src/gen/latch/v1/alert_service_pb.js";
import { ApprovalService } from "../../../src/gen/latch/v1/approval_service_pb.js";
import { DecisionService } from "../../../src/gen/latch/v1/decision_service_pb.js";
import { PermissionService } from "../../../src/gen/latch/v1/permission_service_pb.js";
import { RelationshipService } from "../../../src/gen/latch/v1/relationship_service_pb.js";
import { SchemaService } from "../../../src/gen/latch/v1/schema_service_pb.js";

/**
 * NavItem is a page: its first path segment under /console, its name, and the call that shows
 * it: a key that may not make that call is not offered the page.
 */
export interface NavItem {
  readonly segment: string;
  readonly label: string;
  readonly shownBy: DescMethod;
}

/** NAV_ITEMS lists the pages; a new page is one more entry here and one more case in the page switch. */
export const NAV_ITEMS: readonly NavItem[] = [
  { segment: "live", label: "Live", shownBy: DecisionService.method.watchDecisions },
  { segment: "decisions", label: "Decisions", shownBy: DecisionService.method.listDecisions },
  { segment: "agents", label: "Agents", shownBy: AgentService.method.listSuspensions },
  { segment: "alerts", label: "Alerts", shownBy: AlertService.method.listAlerts },
  {
    segment: "requests",
    label: "Access requests",
    shownBy: ApprovalService.method.listAccessRequests,
  },
  {
    segment: "relationships",
    label: "Relationships",
    shownBy: RelationshipService.method.readRelationships,
  },
  { segment: "schema", label: "Schema", shownBy: SchemaService.method.readSchema },
  { segment: "playground", label: "Playground", shownBy: PermissionService.method.check },
];

/** DEFAULT_SEGMENT is the page /console opens on, for a key that may see it. */
const DEFAULT_SEGMENT = "decisions";

/**
 * landingSegment is the page /console opens on: the default one, or else the first page the key
 * may see (the default one still, for a key that may see none: it says why).
 */
export function landingSegment(allows: (method: DescMethod) => boolean): string {
  const shown = NAV_ITEMS.filter((item) => allows(item.shownBy));
  if (shown.some((item) => item.segment === DEFAULT_SEGMENT)) return DEFAULT_SEGMENT;
  return shown[0]?.segment ?? DEFAULT_SEGMENT;
}
