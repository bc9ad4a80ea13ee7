// `latch serve --mcp-gateway gateway.yaml`: the gateway beside the server, asking it.

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createLatchClient } from "../../../src/cli/client.js";
import { ON_BEHALF_OF_HEADER } from "../../../src/mcp-gateway/identity.js";
import { runLatch } from "../../cli/run-cli-helper.js";
import { logged, type ServedLatch, serveLatch, servingPorts } from "../../support/latch-serve.js";
import {
  ASSISTANT_KEY,
  DOCS_SERVER,
  gatewayYaml,
  RELATIONSHIPS,
  SCHEMA,
} from "./gateway-harness.js";

describe("latch serve --mcp-gateway", () => {
  let scratch: string;
  let served: ServedLatch;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), "latch-serve-mcp-"));
    await writeFile(join(scratch, "schema.zed"), SCHEMA);
    const command = `    command: [${JSON.stringify(process.execPath)}, --import, tsx, ${JSON.stringify(DOCS_SERVER)}]`;
    await writeFile(join(scratch, "gateway.yaml"), gatewayYaml(command));
    served = serveLatch(
      {
        LATCH_DATA_DIR: join(scratch, "data"),
        LATCH_SCHEMA: join(scratch, "schema.zed"),
        GATEWAY_JWT_SECRET: "a-test-secret-of-more-than-32-characters",
      },
      ["--mcp-gateway", join(scratch, "gateway.yaml")],
    );
  });

  afterAll(async () => {
    served?.process.kill("SIGTERM");
    await served?.exited;
    await rm(scratch, { recursive: true, force: true });
  });

  it("serves the gateway on its own port, checking in process with the server it runs in", async () => {
    const { grpcPort } = await servingPorts(served);
    const [, url] = await logged(served, /MCP gateway serving docs on (http:[^\s"]+)/);
    const added = await runLatch(
      ["rel", "touch", ...RELATIONSHIPS],
      {},
      {
        env: { LATCH_ENDPOINT: `127.0.0.1:${grpcPort}` },
      },
    );
    expect(added.exitCode).toBe(0);
    const latch = createLatchClient({ LATCH_ENDPOINT: `127.0.0.1:${grpcPort}` });
    const client = new Client({ name: "test-agent", version: "1" });
    const headers = {
      authorization: `Bearer ${ASSISTANT_KEY}`,
      [ON_BEHALF_OF_HEADER]: "user:alice",
    };
    await client.connect(
      new StreamableHTTPClientTransport(new URL(url!), { requestInit: { headers } }),
    );
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual([
        "docs__list_documents",
        "docs__read_document",
      ]);
      expect((await client.callTool({ name: "docs__list_documents" })).isError).toBeFalsy();
      // Checked in process, and recorded as a check over the network is (the log is async).
      await vi.waitFor(async () => {
        const { decisions } = await latch.decisions.listDecisions({
          filter: { actor: "agent:assistant", resource: "mcp_tool:docs/list_documents" },
        });
        expect(decisions.map((d) => d.origin?.method)).toContain("tools/call");
      });
    } finally {
      await client.close();
      latch.close();
    }
    served.process.kill("SIGTERM");
    expect(await served.exited).toBe(0);
  });
});
