// A TCP port free on 127.0.0.1, for servers that a test starts itself.

import { createServer } from "node:net";

/** freePort asks the OS for a port free on 127.0.0.1 now; the server takes it moments later. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === "object") resolve(address.port);
        else reject(new Error("no port from the OS"));
      });
    });
  });
}
