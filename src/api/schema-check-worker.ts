// The worker thread that checks schema text for the API, so that parsing never blocks requests.

import { parentPort } from "node:worker_threads";
import { loadServedSchema } from "../agents/builtin-schema.js";

const port = parentPort;
if (port === null) throw new Error("schema-check-worker runs only as a worker thread");

port.on("message", (text: string) => {
  const loaded = loadServedSchema(text);
  port.postMessage(loaded.ok ? [] : loaded.diagnostics);
});
// Says the modules are loaded, so that the time bound of the first check counts no start-up.
port.postMessage("ready");
