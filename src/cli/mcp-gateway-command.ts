// `latch mcp-gateway --config gateway.yaml`: the MCP gateway, asking the Latch at LATCH_ENDPOINT.

import type { Command } from "commander";
import type { CliIo } from "./cli-io.js";
import type { GatewayOptions } from "./run-mcp-gateway.js";

/**
 * addMcpGatewayCommand registers `mcp-gateway --config FILE [--stdio]`: Streamable HTTP on the
 * configured `listen` address until interrupted, or, with --stdio, one local client on stdin and
 * stdout, whose identity LATCH_MCP_TOKEN (an agent key or a JWT) and LATCH_MCP_ON_BEHALF_OF give.
 * Latch is reached as every command reaches it (LATCH_ENDPOINT, LATCH_TOKEN).
 */
export function addMcpGatewayCommand(
  program: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
): void {
  program
    .command("mcp-gateway")
    .description(
      "serve MCP clients the tools of MCP servers, each call authorized by Latch for the person an agent acts for",
    )
    .requiredOption("--config <file>", "the gateway's YAML configuration")
    .option(
      "--stdio",
      "serve one local client on stdin and stdout (LATCH_MCP_TOKEN, LATCH_MCP_ON_BEHALF_OF)",
    )
    .action(async (options: GatewayOptions) => {
      // The gateway and the MCP SDK load only to run it: imported at the top, they would add to
      // the start-up CPU of every other command.
      const { runMcpGateway } = await import("./run-mcp-gateway.js");
      await runMcpGateway(options, io, setExitCode);
    });
}
