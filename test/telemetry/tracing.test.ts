// Which environments start the OpenTelemetry SDK: those that name an exporter or an OTLP endpoint,
// unless OTEL_SDK_DISABLED says not to.

import { describe, expect, it } from "vitest";
import { tracingRequested } from "../../src/telemetry/tracing.js";

describe("tracingRequested", () => {
  it.each([
    [{}, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" }, true],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://collector:4318/v1/traces" }, true],
    [{ OTEL_TRACES_EXPORTER: "console" }, true],
    [{ OTEL_TRACES_EXPORTER: "otlp" }, true],
    [{ OTEL_TRACES_EXPORTER: "none", OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318", OTEL_SDK_DISABLED: "true" }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318", OTEL_SDK_DISABLED: "false" }, true],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: "" }, false],
    [{ OTEL_TRACES_SAMPLER: "always_on" }, false],
  ])("%j: %s", (env, started) => {
    expect(tracingRequested(env)).toBe(started);
  });
});
