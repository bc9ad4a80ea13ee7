// `latch serve`: the server, on Postgres or the embedded store, until SIGTERM or SIGINT.

import type { Command } from "commander";
import type { CliIo } from "./cli-io.js";
import type { ServeOptions } from "./run-serve.js";

/** addServeCommand registers `latch serve`. */
export function addServeCommand(
  program: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
): void {
  program
    .command("serve")
    .description(
      "serve the API: gRPC on LATCH_GRPC_PORT (50051), Connect/gRPC-Web and /healthz, /readyz on LATCH_HTTP_PORT (8080)",
    )
    .option("--config <file>", "a YAML configuration file; the environment overrides it")
    .option("--alerts <file>", "an alert rule file (LATCH_ALERTS); see `latch alerts check`")
    .option(
      "--mcp-gateway <file>",
      "also run the MCP gateway this file configures, asking this server (with LATCH_TOKEN)",
    )
    .action(async (options: ServeOptions) => {
      // The server's code loads only to serve: imported at the top, it would more than double
      // the start-up CPU of every other command.
      const { runServe } = await import("./run-serve.js");
      await runServe(options, io, setExitCode);
    });
}
