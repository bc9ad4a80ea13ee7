// Each call's sampling decided from its traceparent alone agrees with the SDK's standard samplers:
// a caller's flag for the parent-based ones, its trace id for a ratio, the odds for a new trace.

import { ROOT_CONTEXT, SpanKind, TraceFlags, trace } from "@opentelemetry/api";
import { tracing } from "@opentelemetry/sdk-node";
import { describe, expect, it } from "vitest";
import {
  createCallSampler,
  readCallSampling,
  sampledCallContext,
  samplesCall,
} from "../../src/telemetry/call-sampling.js";

const TRACE = "0af7651916cd43dd8448eb211c80319c";
const SPAN = "b7ad6b7169203331";
const sampledParent = `00-${TRACE}-${SPAN}-01`;
const unsampledParent = `00-${TRACE}-${SPAN}-00`;

describe("readCallSampling", () => {
  it.each([
    [{}, { parentBased: true, byTraceId: false, ratio: 1 }],
    [{ OTEL_TRACES_SAMPLER: "always_off" }, { parentBased: false, byTraceId: false, ratio: 0 }],
    [{ OTEL_TRACES_SAMPLER: "always_on" }, { parentBased: false, byTraceId: false, ratio: 1 }],
    [
      { OTEL_TRACES_SAMPLER: "traceidratio", OTEL_TRACES_SAMPLER_ARG: "0.25" },
      { parentBased: false, byTraceId: true, ratio: 0.25 },
    ],
    [
      { OTEL_TRACES_SAMPLER: "parentbased_traceidratio", OTEL_TRACES_SAMPLER_ARG: "0.01" },
      { parentBased: true, byTraceId: true, ratio: 0.01 },
    ],
    [
      { OTEL_TRACES_SAMPLER: "parentbased_traceidratio", OTEL_TRACES_SAMPLER_ARG: "2" },
      { parentBased: true, byTraceId: true, ratio: 1 },
    ],
    [
      { OTEL_TRACES_SAMPLER: "parentbased_always_off" },
      { parentBased: true, byTraceId: false, ratio: 0 },
    ],
    [{ OTEL_TRACES_SAMPLER: "jaeger_remote" }, { parentBased: true, byTraceId: false, ratio: 1 }],
    [
      { OTEL_PROPAGATORS: "tracecontext,baggage" },
      { parentBased: true, byTraceId: false, ratio: 1 },
    ],
  ])("%j", (env, sampling) => {
    expect(readCallSampling(env)).toEqual(sampling);
  });

  it("leaves the decision to the SDK when another propagator reads the caller's trace", () => {
    expect(readCallSampling({ OTEL_PROPAGATORS: "b3" })).toBeUndefined();
  });
});

describe("samplesCall", () => {
  const parentBased = readCallSampling({
    OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
    OTEL_TRACES_SAMPLER_ARG: "0",
  })!;

  it("follows a parent-based sampler's caller's flag, and its root's odds without a caller", () => {
    expect(samplesCall(parentBased, sampledParent)).toBe(true);
    expect(samplesCall(parentBased, ` ${sampledParent} `)).toBe(true);
    expect(samplesCall(parentBased, unsampledParent)).toBe(false);
    expect(samplesCall(parentBased, null)).toBe(false);
  });

  it.each([
    `00-${TRACE}-${SPAN}-01-extra`,
    `00-${"0".repeat(32)}-${SPAN}-01`,
    `00-${TRACE}-${"0".repeat(16)}-01`,
    `ff-${TRACE}-${SPAN}-01`,
    `00-${TRACE.toUpperCase()}-${SPAN}-01`,
    `00-${TRACE}-${SPAN}`,
    "garbage",
  ])("takes an invalid traceparent %j for none", (header) => {
    expect(samplesCall(parentBased, header)).toBe(false);
  });

  it("reads a later version's traceparent with more fields", () => {
    expect(samplesCall(parentBased, `01-${TRACE}-${SPAN}-01-more`)).toBe(true);
  });

  it("decides a caller's trace by its trace id as the SDK's trace-id ratio sampler does", () => {
    for (const ratio of [0.1, 0.5, 0.9]) {
      const sampling = readCallSampling({
        OTEL_TRACES_SAMPLER: "traceidratio",
        OTEL_TRACES_SAMPLER_ARG: String(ratio),
      })!;
      const sdk = new tracing.TraceIdRatioBasedSampler(ratio);
      for (let n = 0; n < 200; n++) {
        const traceId = (n * 2654435761).toString(16).padStart(32, "7");
        const expected =
          sdk.shouldSample(ROOT_CONTEXT, traceId).decision ===
          tracing.SamplingDecision.RECORD_AND_SAMPLED;
        // The caller's flag says not sampled: a plain ratio sampler ignores it.
        expect(samplesCall(sampling, `00-${traceId}-${SPAN}-00`)).toBe(expected);
      }
    }
  });

  it("samples new traces at the ratio's odds", () => {
    const sampling = readCallSampling({
      OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
      OTEL_TRACES_SAMPLER_ARG: "0.25",
    })!;
    let sampled = 0;
    for (let n = 0; n < 20_000; n++) if (samplesCall(sampling, null)) sampled++;
    // 5,000 expected; six standard deviations (61) either side.
    expect(Math.abs(sampled - 5_000)).toBeLessThan(370);
  });

  it("samples all or nothing for always_on and always_off, whatever the caller says", () => {
    const on = readCallSampling({ OTEL_TRACES_SAMPLER: "always_on" })!;
    const off = readCallSampling({ OTEL_TRACES_SAMPLER: "always_off" })!;
    for (const header of [null, sampledParent, unsampledParent]) {
      expect(samplesCall(on, header)).toBe(true);
      expect(samplesCall(off, header)).toBe(false);
    }
  });
});

describe("createCallSampler", () => {
  const sampling = readCallSampling({
    OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
    OTEL_TRACES_SAMPLER_ARG: "0",
  })!;
  const sampler = createCallSampler(sampling);
  const decide = (context = ROOT_CONTEXT) =>
    sampler.shouldSample(context, TRACE, "span", SpanKind.INTERNAL, {}, []).decision;
  const withParent = (traceFlags: TraceFlags, isRemote: boolean) =>
    trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE, spanId: SPAN, traceFlags, isRemote });
  const { RECORD_AND_SAMPLED, NOT_RECORD } = tracing.SamplingDecision;

  it("samples the server span of a call that samplesCall sampled", () => {
    expect(decide()).toBe(NOT_RECORD);
    expect(decide(sampledCallContext(ROOT_CONTEXT))).toBe(RECORD_AND_SAMPLED);
  });

  it("keeps a trace whole beneath a sampled span, and decides others as the standard sampler", () => {
    expect(decide(withParent(TraceFlags.SAMPLED, false))).toBe(RECORD_AND_SAMPLED);
    expect(decide(withParent(TraceFlags.SAMPLED, true))).toBe(RECORD_AND_SAMPLED);
    expect(decide(withParent(TraceFlags.NONE, true))).toBe(NOT_RECORD);
    expect(decide(withParent(TraceFlags.NONE, false))).toBe(NOT_RECORD);
  });
});
