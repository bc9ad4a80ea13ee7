// The server's log: JSON lines at or above the level, with the trace and span of the request a line
// was said in, and an error's message and stack.

import { trace } from "@opentelemetry/api";
import { NodeSDK, tracing } from "@opentelemetry/sdk-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/telemetry/logger.js";
import { SyncContextManager } from "../../src/telemetry/sync-context.js";
import { tracer } from "../../src/telemetry/tracing.js";

describe("the server's log", () => {
  // An SDK of the test's own, as `latch serve` starts one: spans kept in memory.
  const sdk = new NodeSDK({
    contextManager: new SyncContextManager(),
    traceExporter: new tracing.InMemorySpanExporter(),
    metricReaders: [],
    logRecordProcessors: [],
    autoDetectResources: false,
  });
  beforeAll(() => sdk.start());
  afterAll(() => sdk.shutdown());

  const capture = (level: Parameters<typeof createLogger>[0]) => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger(level, {
      write: (line: string) => {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      },
    });
    return { logger, lines };
  };

  it("writes JSON lines with their level, and none below LATCH_LOG_LEVEL", () => {
    const { logger, lines } = capture("info");
    logger.line("store reachable again after 2.0 s; health SERVING");
    logger.line("decision log: cannot write 3 decisions (timeout); retrying", "warn");
    logger.line("not said at info", "debug");
    expect(lines).toEqual([
      expect.objectContaining({
        level: "info",
        msg: "store reachable again after 2.0 s; health SERVING",
      }),
      expect.objectContaining({ level: "warn", msg: expect.stringMatching(/^decision log/) }),
    ]);
    expect(lines[0]).toMatchObject({ service: "latch", time: expect.stringMatching(/^\d{4}-/) });
    expect(lines[0]).not.toHaveProperty("trace_id");
  });

  it("gives a line said inside a request's span its trace and span ids", async () => {
    const { logger, lines } = capture("info");
    const ids = tracer().startActiveSpan("latch.v1.PermissionService/Check", (span) => {
      logger.failure("internal error in latch.v1.PermissionService/Check", new Error("boom"));
      span.end();
      return span.spanContext();
    });
    expect(trace.getActiveSpan()).toBeUndefined();
    expect(lines).toEqual([
      expect.objectContaining({
        level: "error",
        msg: "internal error in latch.v1.PermissionService/Check",
        trace_id: ids.traceId,
        span_id: ids.spanId,
        err: expect.objectContaining({
          message: "boom",
          stack: expect.stringContaining("Error: boom"),
        }),
      }),
    ]);
  });
});
