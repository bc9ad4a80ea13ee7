// The console pages' own bookkeeping: agents gathered, live counts, requests and alerts kept current, filters, positions, durations.

import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { agentRoster } from "../../console/src/agents/agent-roster.js";
import { alertFilterOf, alertQueryFromParams } from "../../console/src/alerts/alert-query.js";
import { newestFirst } from "../../console/src/alerts/newest-first.js";
import { withItems } from "../../console/src/api/by-id.js";
import { countAgents } from "../../console/src/live/agent-counts.js";
import { GRANTS, INBOX, withStatus } from "../../console/src/requests/request-book.js";
import { lineOf, offsetOf } from "../../console/src/schema/text-position.js";
import { durationText, secondsText } from "../../console/src/ui/duration-text.js";
import { SuspensionSchema } from "../../src/gen/latch/v1/agent_service_pb.js";
import { AlertSchema, AlertStatus } from "../../src/gen/latch/v1/alert_service_pb.js";
import {
  AccessRequestSchema,
  AccessRequestStatus,
} from "../../src/gen/latch/v1/approval_service_pb.js";
import { RelationshipSchema } from "../../src/gen/latch/v1/core_pb.js";
import { DecisionSchema } from "../../src/gen/latch/v1/decision_service_pb.js";
import { CheckResult } from "../../src/gen/latch/v1/permission_service_pb.js";

const decision = (subject: string, actors: string[], result: CheckResult) =>
  create(DecisionSchema, { subject, actors, result });

describe("agentRoster", () => {
  it("gathers agents from relationships, decisions and alerts, with principals, denials, alerts and suspensions", () => {
    const relationships = [
      create(RelationshipSchema, {
        resource: { type: "agent", id: "bot" },
        relation: "owner",
        subject: { object: { type: "user", id: "alice" } },
      }),
      create(RelationshipSchema, {
        resource: { type: "document", id: "plan" },
        relation: "viewer",
        subject: { object: { type: "agent", id: "bot" } },
      }),
    ];
    const decisions = [
      decision("user:alice", ["agent:bot"], CheckResult.DENIED),
      decision("user:alice", ["agent:bot", "agent:helper"], CheckResult.ALLOWED),
      decision("agent:solo", [], CheckResult.DENIED),
      decision("user:bob", [], CheckResult.DENIED),
    ];
    const suspensions = [
      create(SuspensionSchema, {
        subject: { object: { type: "agent", id: "helper" } },
        reason: "loops",
      }),
    ];
    const alerts = [
      create(AlertSchema, { id: "4", rule: "burst", agent: "agent:bot", status: AlertStatus.OPEN }),
      create(AlertSchema, { id: "3", rule: "any", agent: "user:bob", status: AlertStatus.OPEN }),
      create(AlertSchema, { id: "2", rule: "late", agent: "agent:old", status: AlertStatus.OPEN }),
      create(AlertSchema, {
        id: "1",
        rule: "burst",
        agent: "agent:bot",
        status: AlertStatus.ACKNOWLEDGED,
      }),
    ];
    const roster = agentRoster(relationships, decisions, suspensions, alerts);
    expect(
      roster.map(({ suspension, alerts, ...rest }) => ({
        ...rest,
        suspended: suspension?.reason,
        alerts: alerts.map((a) => a.id),
      })),
    ).toEqual([
      {
        agent: "agent:bot",
        actsFor: ["user:alice (owner)"],
        recentDecisions: 2,
        recentDenials: 1,
        suspended: undefined,
        alerts: ["4", "1"],
        openAlerts: 1,
      },
      {
        agent: "agent:helper",
        actsFor: [],
        recentDecisions: 1,
        recentDenials: 0,
        suspended: "loops",
        alerts: [],
        openAlerts: 0,
      },
      {
        agent: "agent:old",
        actsFor: [],
        recentDecisions: 0,
        recentDenials: 0,
        suspended: undefined,
        alerts: ["2"],
        openAlerts: 1,
      },
      {
        agent: "agent:solo",
        actsFor: [],
        recentDecisions: 1,
        recentDenials: 1,
        suspended: undefined,
        alerts: [],
        openAlerts: 0,
      },
    ]);
  });
});

describe("the alert book", () => {
  it("replaces an alert by its acknowledgement, and lists the newest first by id", () => {
    let alerts = withItems(new Map(), [
      create(AlertSchema, { id: "9", status: AlertStatus.OPEN }),
      create(AlertSchema, { id: "10", status: AlertStatus.OPEN }),
    ]);
    alerts = withItems(alerts, [
      create(AlertSchema, { id: "9", status: AlertStatus.ACKNOWLEDGED }),
    ]);
    expect(newestFirst(alerts).map((a) => [a.id, a.status])).toEqual([
      ["10", AlertStatus.OPEN],
      ["9", AlertStatus.ACKNOWLEDGED],
    ]);
  });
});

describe("alert filters", () => {
  it("reads the URL's filter into the API's, naming a field it cannot read", () => {
    const filter = alertFilterOf(
      alertQueryFromParams(new URLSearchParams("rule=burst&status=open&agent=agent:bot")),
    );
    expect(filter.ok && [filter.filter.rule, filter.filter.status, filter.filter.agent]).toEqual([
      "burst",
      AlertStatus.OPEN,
      "agent:bot",
    ]);
    expect(alertFilterOf(alertQueryFromParams(new URLSearchParams("status=closed")))).toEqual({
      ok: false,
      error: 'status: "closed" is not one of open, acknowledged',
    });
    const agent = alertFilterOf(alertQueryFromParams(new URLSearchParams("agent=bot")));
    expect(agent.ok ? "" : agent.error).toMatch(/^agent: /);
  });
});

describe("countAgents", () => {
  it("counts each actor of a decision once, and its denials, leaving plain checks out", () => {
    const first = countAgents(new Map(), [
      decision("user:alice", ["agent:bot", "agent:bot"], CheckResult.DENIED),
      decision("user:alice", [], CheckResult.DENIED),
    ]);
    const second = countAgents(first, [decision("user:bob", ["agent:bot"], CheckResult.ALLOWED)]);
    expect([...first]).toEqual([["agent:bot", { decisions: 1, denials: 1 }]]);
    expect([...second]).toEqual([["agent:bot", { decisions: 2, denials: 1 }]]);
  });
});

describe("the request book", () => {
  it("replaces a request by each change, and lists a status oldest first", () => {
    const request = (id: string, status: AccessRequestStatus, at: number) =>
      create(AccessRequestSchema, { id, status, requestedAt: timestampFromMs(at) });
    let book = withItems(new Map(), [
      request("b", AccessRequestStatus.PENDING, 2000),
      request("a", AccessRequestStatus.PENDING, 1000),
    ]);
    expect(withStatus(book, INBOX).map((r) => r.id)).toEqual(["a", "b"]);
    book = withItems(book, [request("a", AccessRequestStatus.APPROVED, 1000)]);
    expect(withStatus(book, INBOX).map((r) => r.id)).toEqual(["b"]);
    expect(withStatus(book, GRANTS).map((r) => r.id)).toEqual(["a"]);
  });
});

describe("text positions", () => {
  const text = "definition user {}\n\ndefinition doc {\n  relation viewer: usr\n}";

  it("turns a 1-based line and column into an offset, clamped to the line and the text", () => {
    expect(offsetOf(text, 1, 1)).toBe(0);
    expect(offsetOf(text, 4, 20)).toBe(text.indexOf("usr"));
    expect(offsetOf(text, 2, 5)).toBe(text.indexOf("\n\n") + 1);
    expect(offsetOf(text, 9, 1)).toBe(text.length);
  });

  it("reads a line by its number, empty past the end", () => {
    expect(lineOf(text, 4)).toBe("  relation viewer: usr");
    expect(lineOf(text, 9)).toBe("");
  });
});

describe("durations", () => {
  it("says a duration in its largest parts first", () => {
    expect(secondsText(7200)).toBe("2 h");
    expect(secondsText(90_061)).toBe("1 d 1 h 1 min 1 s");
    expect(secondsText(0)).toBe("0 s");
    expect(durationText(undefined)).toBe("0 s");
  });
});
