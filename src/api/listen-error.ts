// A port a server could not listen on, said plainly: which port, on which address, and why.

import type { Server } from "node:net";

/** PortName names a server's ports in messages. */
export type PortName = "gRPC" | "HTTP";

/**
 * ListenError is a port that could not be opened. `code` is the system's (`EADDRINUSE`,
 * `EACCES`, `EADDRNOTAVAIL`, `ENOTFOUND`…); whether it is the address or the port that is at
 * fault follows from it ({@link ListenError.addressAtFault}).
 */
export class ListenError extends Error {
  constructor(
    readonly portName: PortName,
    readonly host: string,
    readonly port: number,
    readonly code: string | undefined,
    cause: unknown,
  ) {
    super(describe(portName, host, port, code, cause), { cause });
    this.name = "ListenError";
  }

  /** addressAtFault is whether the address (not the port) is what cannot be used. */
  get addressAtFault(): boolean {
    return this.code === "EADDRNOTAVAIL" || this.code === "ENOTFOUND" || this.code === "EAI_AGAIN";
  }
}

function describe(
  portName: PortName,
  host: string,
  port: number,
  code: string | undefined,
  cause: unknown,
): string {
  const where = `${portName} port ${port} on ${host}`;
  switch (code) {
    case "EADDRINUSE":
      return `${where} is in use`;
    case "EACCES":
      return `${where} needs privileges this process lacks`;
    case "EADDRNOTAVAIL":
      return `cannot listen on ${host}: it is not an address of this machine`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `cannot listen on ${host}: no such host`;
    default:
      return `cannot listen on ${where}: ${cause instanceof Error ? cause.message : String(cause)}`;
  }
}

/**
 * listenOn makes server listen on host and port (0 picks a free one) and resolves to the port,
 * or rejects with a {@link ListenError}.
 */
export function listenOn(
  server: Server,
  portName: PortName,
  host: string,
  port: number,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const fail = (error: NodeJS.ErrnoException) =>
      reject(new ListenError(portName, host, port, error.code, error));
    server.once("error", fail);
    server.listen(port, host, () => {
      server.off("error", fail);
      const address = server.address();
      resolve(typeof address === "object" && address !== null ? address.port : port);
    });
  });
}
