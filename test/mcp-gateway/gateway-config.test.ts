// The gateway's configuration: defaults filled in, and every problem named with its line and column.

import { describe, expect, it } from "vitest";
import { GatewayConfigError, parseGatewayConfig } from "../../src/mcp-gateway/gateway-config.js";

const problems = (text: string) => {
  try {
    parseGatewayConfig("gateway.yaml", text);
  } catch (error) {
    if (error instanceof GatewayConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe("parseGatewayConfig", () => {
  it("fills in the defaults: 127.0.0.1, one-hour grants, bounded bodies, calls and sessions", () => {
    const config = parseGatewayConfig(
      "gateway.yaml",
      "identity: {}\nservers:\n  docs:\n    url: http://127.0.0.1:9000/mcp\n",
    );
    expect(config.listen).toEqual({ host: "127.0.0.1", port: 8090 });
    expect(config.accessRequests.durationMinutes).toBe(60);
    expect(config.limits).toEqual({
      maxBodyBytes: 1048576,
      callTimeoutMs: 60000,
      maxSessions: 1000,
      sessionIdleMs: 1800000,
    });
  });

  it("names the line and column of each problem, and the key at fault", () => {
    const text = [
      "identity:",
      "  agentKeys:",
      "    - agent: assistant",
      "      sha256: abc",
      "servers:",
      "  docs:",
      "    url: ftp://example.com",
      "    tools:",
      "      read:",
      "        permision: view",
      "  two__parts:",
      "    command: [node]",
      "limits:",
      "  callTimeoutMs: 5",
    ].join("\n");
    expect(problems(text)).toEqual([
      "gateway.yaml:3:14: identity.agentKeys.0.agent: an object such as agent:assistant",
      "gateway.yaml:4:15: identity.agentKeys.0.sha256: 64 lowercase hex digits",
      "gateway.yaml:7:10: servers.docs.url: Invalid URL",
      "gateway.yaml:10:9: servers.docs.tools.read: unknown key 'permision' (did you mean 'permission'?)",
      "gateway.yaml:11:3: servers.two__parts: not a valid name: lowercase letters, digits, - and single _",
      "gateway.yaml:14:18: limits.callTimeoutMs: Too small: expected number to be >=100",
    ]);
  });

  it("refuses a server with both or neither of command and url, and a file with no servers", () => {
    expect(problems("identity: {}\nservers:\n  docs:\n    tools: {}\n")).toEqual([
      "gateway.yaml:4:5: servers.docs: set exactly one of command (stdio) and url (Streamable HTTP)",
    ]);
    expect(problems("identity: {}\nservers: {}\n")).toEqual([
      "gateway.yaml:2:10: servers: name at least one server",
    ]);
  });

  it("says where YAML does not parse", () => {
    expect(problems("servers: [\n")[0]).toMatch(/^gateway\.yaml: .*line 2/);
  });
});
