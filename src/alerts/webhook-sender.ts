// Alerts POSTed to webhooks: signed, with an idempotency key, retried with backoff, off every request's path.

import { createHmac } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import type { Alert } from "./alert.js";
import type { Webhook } from "./alert-rule.js";

/** The signature header carries `sha256=` and the hex HMAC-SHA256 of the body, keyed by the secret. */
const SIGNATURE_HEADER = "latch-signature";
/** The idempotency header carries `alert-` and the alert's id: the same on every retry. */
const IDEMPOTENCY_HEADER = "idempotency-key";

/** The most deliveries waiting in memory; past it, an alert waits in the database for the next start. */
const MAX_QUEUED = 10_000;
/** How many deliveries are in flight at once. */
const CONCURRENCY = 8;
const MAX_ATTEMPTS = 10;
const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 30_000;
const TIMEOUT_MS = 5_000;

/** DeliveryOutcome is what became of one attempt or one delivery, as the metrics count it. */
export type DeliveryOutcome = "delivered" | "retried" | "failed" | "dropped";

/** WebhookEvents are what the sender tells its server. */
export interface WebhookEvents {
  /** count is called once per outcome: each retry, and each delivery's end. */
  readonly count: (webhook: string, outcome: DeliveryOutcome) => void;
  /** delivered is called when a webhook took alert, to stop it being sent again. */
  readonly delivered: (alert: Alert) => Promise<void>;
  readonly log: (line: string) => void;
}

/** signBody is the signature header's value for body: `sha256=` and its hex HMAC-SHA256. */
function signBody(secret: Buffer, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** alertBody is the JSON a webhook receives for alert. */
function alertBody(alert: Alert): string {
  return JSON.stringify({ type: "latch.alert", alert });
}

/**
 * WebhookSender POSTs alerts to their webhooks. `send` only queues (bounded: a full queue drops
 * the delivery, counted, and the alert keeps waiting in the database); deliveries run a few at
 * a time, each retried on a network error, a timeout, a 5xx or a 429 with exponential backoff
 * (100 ms doubling to 30 s) up to 10 attempts, then counted as failed. A 2xx is delivered; any
 * other status fails at once (the receiver refuses it).
 */
export class WebhookSender {
  private readonly queue: { alert: Alert; webhook: Webhook }[] = [];
  private active = 0;
  private readonly stopping = new AbortController();

  constructor(
    private readonly secrets: ReadonlyMap<string, Buffer>,
    private readonly events: WebhookEvents,
  ) {}

  /** send queues alert for webhook. */
  send(alert: Alert, webhook: Webhook): void {
    if (this.stopping.signal.aborted) return;
    if (this.queue.length >= MAX_QUEUED) {
      this.events.count(webhook.name, "dropped");
      return;
    }
    this.queue.push({ alert, webhook });
    this.pump();
  }

  /** close stops retrying; deliveries not done stay waiting in the database. */
  close(): void {
    this.stopping.abort();
    this.queue.length = 0;
  }

  private pump(): void {
    while (this.active < CONCURRENCY && this.queue.length > 0) {
      const next = this.queue.shift();
      if (next === undefined) return;
      this.active++;
      this.deliver(next.alert, next.webhook)
        .catch((error: unknown) => this.events.log(`webhook ${next.webhook.name}: ${error}`))
        .finally(() => {
          this.active--;
          this.pump();
        });
    }
  }

  private async deliver(alert: Alert, webhook: Webhook): Promise<void> {
    const secret = this.secrets.get(webhook.name) ?? Buffer.alloc(0);
    const body = alertBody(alert);
    const headers = {
      "content-type": "application/json",
      [SIGNATURE_HEADER]: signBody(secret, body),
      [IDEMPOTENCY_HEADER]: `alert-${alert.id}`,
    };
    const signal = this.stopping.signal;
    let wait = FIRST_RETRY_MS;
    for (let attempt = 1; !signal.aborted; attempt++) {
      const problem = await post(webhook.url, headers, body, signal);
      if (problem === undefined) {
        this.events.count(webhook.name, "delivered");
        await this.events.delivered(alert);
        return;
      }
      if (problem.final || attempt >= MAX_ATTEMPTS) {
        this.events.count(webhook.name, "failed");
        this.events.log(
          `webhook ${webhook.name}: alert ${alert.id} not delivered after ${attempt} attempts: ${problem.message}`,
        );
        return;
      }
      this.events.count(webhook.name, "retried");
      await delay(wait, undefined, { signal }).catch(() => {});
      wait = Math.min(wait * 2, MAX_RETRY_MS);
    }
  }
}

/** post sends one attempt; it returns undefined when delivered, else why, and whether to retry. */
async function post(
  url: URL,
  headers: Record<string, string>,
  body: string,
  stop: AbortSignal,
): Promise<{ message: string; final: boolean } | undefined> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers,
      body,
      redirect: "manual",
      signal: AbortSignal.any([stop, AbortSignal.timeout(TIMEOUT_MS)]),
    });
    await response.body?.cancel();
    if (response.ok) return undefined;
    const retry = response.status >= 500 || response.status === 429;
    return { message: `the receiver answered ${response.status}`, final: !retry };
  } catch (error) {
    return { message: error instanceof Error ? error.message : String(error), final: false };
  }
}
