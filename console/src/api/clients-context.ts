// The signed-in clients, given to every page through a Preact context.

import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Clients } from "./clients.js";

/** ClientsContext holds the clients of the signed-in session. */
export const ClientsContext = createContext<Clients | undefined>(undefined);

/** useClients returns the session's clients; the app renders pages only once signed in. */
export function useClients(): Clients {
  const clients = useContext(ClientsContext);
  if (clients === undefined) throw new Error("useClients outside a signed-in session");
  return clients;
}
