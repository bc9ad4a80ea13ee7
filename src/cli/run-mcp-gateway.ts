// What `latch mcp-gateway --config gateway.yaml` runs: the MCP gateway, asking the Latch at
// LATCH_ENDPOINT.

import { GatewayConfigError, loadGatewayConfig } from "../mcp-gateway/gateway-config.js";
import { IdentityError } from "../mcp-gateway/identity.js";
import { listenGateway, openGateway, serveStdio } from "../mcp-gateway/mcp-gateway.js";
import { UpstreamError } from "../mcp-gateway/upstreams.js";
import { EXIT_USAGE_OR_SERVER_ERROR } from "./call-server.js";
import type { CliIo } from "./cli-io.js";
import { createUnaryLatchClient } from "./client.js";

/** GatewayOptions are the options of `latch mcp-gateway`. */
export interface GatewayOptions {
  readonly config: string;
  readonly stdio?: boolean;
}

/**
 * runMcpGateway runs `latch mcp-gateway` with options until interrupted, or until its stdio
 * client leaves. A bad configuration, identity or upstream is said on stderr and sets exit code 2.
 */
export async function runMcpGateway(
  options: GatewayOptions,
  io: CliIo,
  setExitCode: (code: number) => void,
): Promise<void> {
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
    io.stderr(`latch mcp-gateway serving ${Object.keys(config.servers).join(", ")} on ${url}\n`);
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
}
