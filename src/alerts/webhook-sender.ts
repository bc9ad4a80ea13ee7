// Alerts POSTed to webhooks: signed, with an idempotency key, retried with backoff until delivered, off every request's path.

import { createHmac } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import type { Alert } from "./alert.js";
import type { Webhook } from "./alert-rule.js";

/** The signature header carries `sha256=` and the hex HMAC-SHA256 of the body, keyed by the secret. */
const SIGNATURE_HEADER = "latch-signature";
/** The idempotency header carries `alert-` and the alert's id: the same on every retry. */
const IDEMPOTENCY_HEADER = "idempotency-key";

/** The most deliveries waiting in memory; past it, an alert waits in the database for the next sweep. */
const MAX_QUEUED = 10_000;
/** How many deliveries are in flight at once. */
const CONCURRENCY = 8;
const TIMEOUT_MS = 5_000;

/**
 * WebhookRetry is how hard a delivery is tried: `attempts` POSTs at first, apart by a delay that
 * doubles from `firstDelayMs` up to `maxDelayMs`; then, while the alert is still undelivered, a
 * round of attempts again at a sweep of the elected evaluator (every `sweepMs`), once a delay
 * that doubles from `sweepMs` with each round given up, up to `maxSweepDelayMs`, has passed.
 */
export interface WebhookRetry {
  readonly attempts: number;
  readonly firstDelayMs: number;
  readonly maxDelayMs: number;
  readonly sweepMs: number;
  readonly maxSweepDelayMs: number;
}

/** DEFAULT_WEBHOOK_RETRY: 10 attempts 100 ms to 30 s apart, then a round a minute to an hour apart. */
export const DEFAULT_WEBHOOK_RETRY: WebhookRetry = {
  attempts: 10,
  firstDelayMs: 100,
  maxDelayMs: 30_000,
  sweepMs: 60_000,
  maxSweepDelayMs: 3_600_000,
};

/** DeliveryOutcome is what became of one attempt or one delivery, as the metrics count it. */
export type DeliveryOutcome = "delivered" | "retried" | "failed" | "dropped" | "resent";

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
 * (see {@link WebhookRetry}), then counted as failed. A 2xx is delivered; any other status fails
 * at once (the receiver refuses it). An alert is delivered at most once at a time: sending one
 * already queued or in flight does nothing. `resend` is the sweep's: it sends an undelivered
 * alert again once its round's backoff has passed.
 */
export class WebhookSender {
  private readonly queue: { alert: Alert; webhook: Webhook }[] = [];
  private active = 0;
  private readonly stopping = new AbortController();
  /** The alerts queued or in flight, by id. */
  private readonly busy = new Set<string>();
  /**
   * The alerts delivered lately (oldest first): a sweep that read one before its delivery was
   * marked in the database does not send it again.
   */
  private readonly delivered = new Set<string>();
  /** The alerts whose last round failed, by id (oldest first): rounds given up, and when the next may start. */
  private readonly backoff = new Map<string, { rounds: number; notBefore: number }>();

  constructor(
    private readonly secrets: ReadonlyMap<string, Buffer>,
    private readonly events: WebhookEvents,
    readonly retry: WebhookRetry = DEFAULT_WEBHOOK_RETRY,
  ) {}

  /** send queues alert for webhook, unless it is queued or in flight already. */
  send(alert: Alert, webhook: Webhook): void {
    if (this.stopping.signal.aborted || this.busy.has(alert.id)) return;
    if (this.queue.length >= MAX_QUEUED) {
      this.events.count(webhook.name, "dropped");
      return;
    }
    this.busy.add(alert.id);
    this.queue.push({ alert, webhook });
    this.pump();
  }

  /**
   * resend sends again alert, found undelivered in the database at now (epoch ms), unless it is
   * queued or in flight, or its last round failed less than its backoff ago.
   */
  resend(alert: Alert, webhook: Webhook, now: number): void {
    const { id } = alert;
    if (this.busy.has(id) || this.delivered.has(id)) return;
    if ((this.backoff.get(id)?.notBefore ?? 0) > now) return;
    this.events.count(webhook.name, "resent");
    this.send(alert, webhook);
  }

  /** close stops retrying; deliveries not done stay waiting in the database. */
  close(): void {
    this.stopping.abort();
    this.queue.length = 0;
    this.busy.clear();
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
          this.busy.delete(next.alert.id);
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
    const { attempts, firstDelayMs, maxDelayMs } = this.retry;
    let wait = firstDelayMs;
    for (let attempt = 1; !signal.aborted; attempt++) {
      const problem = await post(webhook.url, headers, body, signal);
      if (problem === undefined) {
        this.events.count(webhook.name, "delivered");
        this.backoff.delete(alert.id);
        remember(this.delivered, alert.id);
        await this.events.delivered(alert);
        return;
      }
      if (problem.final || attempt >= attempts) {
        this.events.count(webhook.name, "failed");
        const rounds = this.giveUp(alert.id);
        this.events.log(
          `webhook ${webhook.name}: alert ${alert.id} not delivered after ${attempt} attempts (round ${rounds}): ${problem.message}; it stays undelivered and is sent again later`,
        );
        return;
      }
      this.events.count(webhook.name, "retried");
      await delay(wait, undefined, { signal }).catch(() => {});
      wait = Math.min(wait * 2, maxDelayMs);
    }
  }

  /** giveUp notes that a round of alert id's attempts failed, and returns how many have. */
  private giveUp(id: string): number {
    const { sweepMs, maxSweepDelayMs } = this.retry;
    const rounds = (this.backoff.get(id)?.rounds ?? 0) + 1;
    const wait = Math.min(sweepMs * 2 ** (rounds - 1), maxSweepDelayMs);
    this.backoff.delete(id);
    this.backoff.set(id, { rounds, notBefore: Date.now() + wait });
    // Bounded: an alert forgotten here is sent again at the next sweep, without waiting.
    forgetOldest(this.backoff);
    return rounds;
  }
}

/** remember adds id to the newest of recent, bounded by MAX_QUEUED. */
function remember(recent: Set<string>, id: string): void {
  recent.add(id);
  forgetOldest(recent);
}

/** forgetOldest drops the oldest entry of a collection past MAX_QUEUED entries. */
function forgetOldest(entries: Set<string> | Map<string, unknown>): void {
  if (entries.size <= MAX_QUEUED) return;
  const oldest = entries.keys().next().value;
  if (oldest !== undefined) entries.delete(oldest);
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
