// The sampling decision for a call, made from its traceparent before any id or span exists.

import {
  type Context,
  createContextKey,
  isSpanContextValid,
  ROOT_CONTEXT,
  SpanKind,
  TraceFlags,
  trace,
} from "@opentelemetry/api";
import { tracing } from "@opentelemetry/sdk-node";

/**
 * CallSampling is OTEL_TRACES_SAMPLER and its argument, read once: whether a caller's sampled
 * flag decides (the `parentbased_` samplers), and the sampler for the rest.
 */
export interface CallSampling {
  readonly parentBased: boolean;
  /** The share of calls without a deciding parent that are sampled: 0, 1, or a trace-id ratio. */
  readonly ratio: number;
  /** Whether ratio applies to the trace id (`traceidratio`), not to every call (`always_*`). */
  readonly byTraceId: boolean;
}

/** The samplers OTEL_TRACES_SAMPLER names that Latch decides itself; others default as the SDK does. */
const SAMPLERS: Readonly<Record<string, Omit<CallSampling, "ratio"> & { ratio?: number }>> = {
  always_on: { parentBased: false, byTraceId: false, ratio: 1 },
  always_off: { parentBased: false, byTraceId: false, ratio: 0 },
  traceidratio: { parentBased: false, byTraceId: true },
  parentbased_always_on: { parentBased: true, byTraceId: false, ratio: 1 },
  parentbased_always_off: { parentBased: true, byTraceId: false, ratio: 0 },
  parentbased_traceidratio: { parentBased: true, byTraceId: true },
};

/**
 * readCallSampling reads OTEL_TRACES_SAMPLER (default and fallback `parentbased_always_on`) and
 * OTEL_TRACES_SAMPLER_ARG (a ratio in [0, 1], default and fallback 1) as the OpenTelemetry SDK
 * does. It is undefined when OTEL_PROPAGATORS takes the caller's trace from headers other than
 * W3C's `traceparent`: then only the SDK can read a call's parent.
 */
export function readCallSampling(env: NodeJS.ProcessEnv): CallSampling | undefined {
  const propagators = env.OTEL_PROPAGATORS?.trim();
  if (propagators !== undefined && propagators !== "") {
    const named = propagators.split(",").map((name) => name.trim());
    if (!named.every((name) => name === "tracecontext" || name === "baggage")) return undefined;
  }
  const sampler =
    SAMPLERS[env.OTEL_TRACES_SAMPLER?.trim() ?? ""] ?? SAMPLERS.parentbased_always_on!;
  const arg = env.OTEL_TRACES_SAMPLER_ARG?.trim();
  const given = arg === undefined || arg === "" ? Number.NaN : Number(arg);
  const ratio = sampler.ratio ?? (given >= 0 && given <= 1 ? given : 1);
  return { parentBased: sampler.parentBased, byTraceId: sampler.byTraceId, ratio };
}

const DASH = 0x2d;

/**
 * parentOf is a traceparent header (W3C Trace Context: version, trace id, parent id and flags in
 * lowercase hex; more fields only past version 00) trimmed, or undefined for none or an invalid
 * one. Read by hand, not by a regular expression: it is on the path of every call that sends one.
 */
function parentOf(traceparent: string | null): string | undefined {
  if (traceparent === null) return undefined;
  const value = traceparent.trim();
  const valid =
    value.length >= 55 &&
    value.charCodeAt(2) === DASH &&
    value.charCodeAt(35) === DASH &&
    value.charCodeAt(52) === DASH &&
    (value.length === 55 || (value.charCodeAt(55) === DASH && !value.startsWith("00"))) &&
    !value.startsWith("ff") &&
    isHex(value, 0, 2) &&
    isHex(value, 3, 35) &&
    isHex(value, 36, 52) &&
    isHex(value, 53, 55) &&
    !isZero(value, 3, 35) &&
    !isZero(value, 36, 52);
  return valid ? value : undefined;
}

/** isHex says whether text holds only lowercase hex digits from start to end. */
function isHex(text: string, start: number, end: number): boolean {
  for (let at = start; at < end; at++) {
    const code = text.charCodeAt(at);
    if (!((code >= 0x30 && code <= 0x39) || (code >= 0x61 && code <= 0x66))) return false;
  }
  return true;
}

/** isZero says whether text holds only zeros from start to end (an invalid id). */
function isZero(text: string, start: number, end: number): boolean {
  for (let at = start; at < end; at++) if (text.charCodeAt(at) !== 0x30) return false;
  return true;
}

/** parentSampled says whether a valid traceparent's flags have the sampled bit. */
function parentSampled(traceparent: string): boolean {
  return (Number.parseInt(traceparent.slice(53, 55), 16) & TraceFlags.SAMPLED) !== 0;
}

/**
 * samplesCall decides whether a call that sent traceparent (null for none) is sampled, as the
 * SDK's sampler for sampling would decide its server span: the caller's flag for a parent-based
 * sampler; for a trace-id ratio, the caller's trace id or, for a call that starts its trace, a
 * draw of the same odds (its trace id is not made yet, and an unsampled call never makes one).
 */
export function samplesCall(sampling: CallSampling, traceparent: string | null): boolean {
  if (sampling.ratio === 0 && !sampling.parentBased) return false;
  const parent = parentOf(traceparent);
  if (parent !== undefined) {
    if (sampling.parentBased) return parentSampled(parent);
    if (sampling.byTraceId) return byRatio(sampling.ratio, parent.slice(3, 35));
  }
  return sampling.ratio === 1 || Math.random() < sampling.ratio;
}

/** The trace-id ratio samplers made so far, by ratio (a process has one). */
const ratioSamplers = new Map<number, tracing.Sampler>();

function byRatio(ratio: number, traceId: string): boolean {
  let sampler = ratioSamplers.get(ratio);
  if (sampler === undefined) {
    sampler = new tracing.TraceIdRatioBasedSampler(ratio);
    ratioSamplers.set(ratio, sampler);
  }
  return (
    sampler.shouldSample(ROOT_CONTEXT, traceId, "", SpanKind.SERVER, {}, []).decision ===
    tracing.SamplingDecision.RECORD_AND_SAMPLED
  );
}

/** Marks the context a server span is started in when {@link samplesCall} sampled its call. */
const CALL_SAMPLED = createContextKey("latch call sampled");

/** sampledCallContext is parent marked as the context of a call that {@link samplesCall} sampled. */
export function sampledCallContext(parent: Context): Context {
  return parent.setValue(CALL_SAMPLED, true);
}

const SAMPLED: tracing.SamplingResult = Object.freeze({
  decision: tracing.SamplingDecision.RECORD_AND_SAMPLED,
});
const DROPPED: tracing.SamplingResult = Object.freeze({
  decision: tracing.SamplingDecision.NOT_RECORD,
});

/**
 * createCallSampler is the SDK's sampler for sampling: a server span whose call
 * {@link samplesCall} sampled is sampled; a span beneath a sampled span of this process follows
 * it, so that a trace is whole even when its root was a draw rather than its trace id; any other
 * span is decided as the standard sampler that sampling names would decide it.
 */
export function createCallSampler(sampling: CallSampling): tracing.Sampler {
  const root: tracing.Sampler = sampling.byTraceId
    ? new tracing.TraceIdRatioBasedSampler(sampling.ratio)
    : sampling.ratio === 1
      ? new tracing.AlwaysOnSampler()
      : new tracing.AlwaysOffSampler();
  return {
    shouldSample(context, traceId, name, kind, attributes, links) {
      if (context.getValue(CALL_SAMPLED) === true) return SAMPLED;
      const parent = trace.getSpanContext(context);
      if (parent !== undefined && isSpanContextValid(parent)) {
        const sampled = (parent.traceFlags & TraceFlags.SAMPLED) !== 0;
        if (sampled && parent.isRemote !== true) return SAMPLED;
        if (sampling.parentBased) return sampled ? SAMPLED : DROPPED;
      }
      return root.shouldSample(context, traceId, name, kind, attributes, links);
    },
    toString: () =>
      `LatchCallSampler{${sampling.parentBased ? "ParentBased, " : ""}${root.toString()}}`,
  };
}
