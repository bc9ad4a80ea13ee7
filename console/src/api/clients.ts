// The console's clients of Latch's public Connect API, one per service, each call carrying the key.

import { createConnectTransport } from "@connectrpc/connect-web";
import {
  bearerToken,
  createServiceClients,
  type ServiceClients,
} from "../../../src/client/service-clients.js";

/** Clients holds a client of each service the console uses. */
export type Clients = ServiceClients;

/**
 * UNARY_TIMEOUT_MS bounds every unary call: a slow server shows an error in words, never a page
 * that waits forever. Streams have no deadline; leaving their page cancels them.
 */
export const UNARY_TIMEOUT_MS = 15_000;

/**
 * createClients returns clients that call the server the console was served by, with
 * `authorization: Bearer KEY` on every call when apiKey is given (none in development mode).
 */
export function createClients(apiKey: string | undefined): Clients {
  const transport = createConnectTransport({
    baseUrl: window.location.origin,
    interceptors: apiKey === undefined ? [] : [bearerToken(apiKey)],
  });
  return createServiceClients(transport);
}
