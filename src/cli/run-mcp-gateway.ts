// `latch mcp-gateway --config gateway.yaml`: the MCP gateway, asking the Latch at LATCH_ENDPOINT.

import type { Command } from "commander";
import { GatewayConfigError, loadGatewayConfig } from "../mcp-gateway/gateway-config.js";
import { IdentityError } from "../mcp-gateway/identity.js";
import { listenGateway, openGateway, serveStdio } from "../mcp-gateway/mcp-gateway.js";
import { UpstreamError } from "../mcp-gateway/upstreams.js";
import { EXIT_USAGE_OR_SERVER_ERROR } from "./call-server.js";
import type { CliIo } from "./cli-io.js";
import { createUnaryLatchClient } from "./client.js";

interface GatewayOptions {
  readonly config: string;
  readonly stdio?: boolean;
}

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
      const latch = createUnaryLatchClient(io.env);
      try {
        const config = await loadGatewayConfig(options.config);
        const opened = { config, latch, env: io.env };
        if (options.stdio) {
          const token = io.env.LATCH_MCP_TOKEN;
          const stdio = await serveStdio(opened, {
            authorization: token === undefined ? undefined : `Bearer ${token}`,
            onBehalfOf: io.env.LATCH_MCP_ON_BEHALF_OF,
          });
          io.interruption().addEventListener("abort", () => void stdio.close());
          await stdio.closed;
          return;
        }
        const gateway = await openGateway(opened);
        const { url, server } = await listenGateway(gateway, config);
        io.stderr(
          `latch mcp-gateway serving ${Object.keys(config.servers).join(", ")} on ${url}\n`,
        );
        await new Promise<void>((resolve) =>
          io.interruption().addEventListener("abort", () => resolve()),
        );
        server.close();
        await gateway.close();
        io.stderr("stopped\n");
      } catch (error) {
        if (
          !(
            error instanceof GatewayConfigError ||
            error instanceof IdentityError ||
            error instanceof UpstreamError
          )
        )
          throw error;
        io.stderr(`latch mcp-gateway: ${error.message}\n`);
        setExitCode(EXIT_USAGE_OR_SERVER_ERROR);
      } finally {
        latch.close();
      }
    });
}
