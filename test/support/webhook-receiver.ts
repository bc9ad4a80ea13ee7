// A local HTTP receiver for alert webhooks: it records each delivery and answers with the status
// the test chooses for it.

import { createServer } from "node:http";
import { performance } from "node:perf_hooks";

/** WebhookDelivery is one request the receiver got, and the status it answered. */
export interface WebhookDelivery {
  readonly body: string;
  readonly signature: string | undefined;
  readonly idempotencyKey: string | undefined;
  readonly status: number;
  /** When the body had arrived: epoch ms with sub-millisecond resolution. */
  readonly arrivedAt: number;
}

/** WebhookReceiver is a running receiver: its port, what it got, and what stops it. */
export interface WebhookReceiver {
  readonly port: number;
  readonly deliveries: WebhookDelivery[];
  close(): Promise<void>;
}

/**
 * startWebhookReceiver listens on 127.0.0.1 (a free port) and answers each request with
 * statusFor() (asked once the body has arrived), recording the delivery.
 */
export async function startWebhookReceiver(statusFor: () => number): Promise<WebhookReceiver> {
  const deliveries: WebhookDelivery[] = [];
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on("end", () => {
      const arrivedAt = performance.timeOrigin + performance.now();
      const status = statusFor();
      deliveries.push({
        body,
        signature: request.headers["latch-signature"] as string | undefined,
        idempotencyKey: request.headers["idempotency-key"] as string | undefined,
        status,
        arrivedAt,
      });
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    deliveries,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
