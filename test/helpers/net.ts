/** Network helpers for tests that start child processes on fixed loopback ports. */
import { createServer } from "node:net";

/** A loopback port free at the time of asking (for child processes that take a fixed port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject()));
    });
  });
}
