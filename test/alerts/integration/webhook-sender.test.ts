// The webhook sender's rounds against a local receiver: a round given up waits a backoff that
// doubles up to its bound before a sweep may send it again; a delivered alert is never resent.

import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Alert } from "../../../src/alerts/alert.js";
import type { Webhook } from "../../../src/alerts/alert-rule.js";
import { type DeliveryOutcome, WebhookSender } from "../../../src/alerts/webhook-sender.js";
import { waitFor } from "../../support/wait-for.js";

const PATIENCE_MS = 10_000;
const SWEEP_MS = 1_000;

const ALERT: Alert = {
  id: "7",
  rule: "secret",
  key: "agent:bot",
  raisedAt: "2026-01-01T00:00:00.000Z",
  decisionId: "00000000-0000-0000-0000-000000000000",
  decidedAt: "2026-01-01T00:00:00.000Z",
  agent: "agent:bot",
  principal: "user:alice",
  resource: "document:secret",
  permission: "view",
  result: "allowed",
  reason: "",
  count: 1,
  summary: "test",
  status: "open",
};

describe("WebhookSender", () => {
  let receiver: Server;
  let webhook: Webhook;
  let status = 503;
  let requests = 0;

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      request.resume();
      request.on("end", () => {
        requests++;
        response.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const { port } = receiver.address() as { port: number };
    webhook = { name: "hook", url: new URL(`http://127.0.0.1:${port}/`), secretEnv: "UNUSED" };
  });

  afterAll(() => new Promise((resolve) => receiver.close(resolve)));

  it("waits out each round's backoff, doubling to its bound, and stops once delivered", async () => {
    const counted: DeliveryOutcome[] = [];
    const marked: string[] = [];
    const sender = new WebhookSender(
      new Map(),
      {
        count: (_, outcome) => counted.push(outcome),
        delivered: async (alert) => {
          marked.push(alert.id);
        },
        log: () => {},
      },
      {
        attempts: 1,
        firstDelayMs: 1,
        maxDelayMs: 1,
        sweepMs: SWEEP_MS,
        maxSweepDelayMs: 4 * SWEEP_MS,
      },
    );
    const failedRounds = () => counted.filter((o) => o === "failed").length;
    /** round has a sweep at `inMs` from now resend the alert; it says whether a round started. */
    const round = async (inMs: number): Promise<boolean> => {
      const before = failedRounds();
      sender.resend(ALERT, webhook, Date.now() + inMs);
      if (counted.at(-1) !== "resent") return false;
      await waitFor("the round to end", () => failedRounds() > before, PATIENCE_MS);
      return true;
    };

    sender.send(ALERT, webhook);
    await waitFor("the first round to fail", () => failedRounds() === 1, PATIENCE_MS);
    // After round n, the next waits SWEEP_MS × 2^(n-1), at most 4 × SWEEP_MS.
    for (const wait of [1, 2, 4, 4].map((n) => n * SWEEP_MS)) {
      expect(await round(wait / 2)).toBe(false);
      expect(await round(wait + 50)).toBe(true);
    }
    expect(requests).toBe(5);

    status = 200;
    sender.resend(ALERT, webhook, Date.now() + 4 * SWEEP_MS + 50);
    await waitFor("the delivery", () => marked.length === 1, PATIENCE_MS);
    expect(requests).toBe(6);
    // A sweep that read the alert before its delivery was marked does not send it again.
    sender.resend(ALERT, webhook, Date.now() + 10 * SWEEP_MS);
    expect(counted.filter((o) => o === "resent")).toHaveLength(5);
    expect(counted.filter((o) => o === "delivered")).toHaveLength(1);
    sender.close();
  });
});
