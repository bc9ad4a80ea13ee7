// OpenTelemetry tracing: the Node SDK, started only when the standard OTEL_* variables ask for it.

import {
  type Attributes,
  type Context,
  context,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { type CallSampling, createCallSampler, readCallSampling } from "./call-sampling.js";
import { SyncContextManager } from "./sync-context.js";

/** TraceSettings say how a server traces; a server given none makes no span and pays nothing. */
export interface TraceSettings {
  /**
   * Whether spans may carry object ids, subjects and caveat context (LATCH_TRACE_IDENTIFIERS):
   * they name people and documents, which a tracing backend may not be trusted with.
   */
  readonly identifiers: boolean;
}

/** Tracing is the started SDK. */
export interface Tracing {
  /** stop sends the spans still batched and stops the SDK. */
  stop(): Promise<void>;
}

/**
 * tracingRequested says whether env asks for traces: an exporter named (OTEL_TRACES_EXPORTER,
 * other than `none`) or an OTLP endpoint set, and OTEL_SDK_DISABLED not `true`.
 */
export function tracingRequested(env: NodeJS.ProcessEnv): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") return false;
  const exporters = env.OTEL_TRACES_EXPORTER?.trim();
  if (exporters !== undefined && exporters !== "") return exporters !== "none";
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/**
 * startTracing starts the Node SDK when env asks for traces (see {@link tracingRequested}), or
 * returns undefined. The SDK reads the rest of its settings from env as every OpenTelemetry SDK
 * does: the exporter, its endpoint and protocol, OTEL_TRACES_SAMPLER and its argument, the
 * propagators (W3C trace context by default), OTEL_SERVICE_NAME (`latch` when unset). Only traces:
 * metrics stay on /metrics and logs on stderr, whatever OTEL_METRICS_EXPORTER and
 * OTEL_LOGS_EXPORTER say.
 */
export function startTracing(env: NodeJS.ProcessEnv): Tracing | undefined {
  if (!tracingRequested(env)) return undefined;
  started = readCallSampling(env);
  const sdk = new NodeSDK({
    ...(env.OTEL_SERVICE_NAME ? {} : { serviceName: "latch" }),
    ...(started === undefined ? {} : { sampler: createCallSampler(started) }),
    contextManager: new SyncContextManager(),
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  return { stop: () => sdk.shutdown() };
}

/** The sampling startTracing read, which the sampler it gave the SDK applies. */
let started: CallSampling | undefined;

/**
 * callSampling is the sampling of the SDK that startTracing started, with which a server decides
 * a call before it makes a span (see samplesCall); undefined when the SDK was not started so or
 * only it can read a caller's trace (other propagators), and then the SDK decides each call.
 */
export function callSampling(): CallSampling | undefined {
  return started;
}

/** tracer is Latch's tracer (the global provider's, once the SDK registered it). */
export function tracer(): Tracer {
  return trace.getTracer("latch");
}

/**
 * recordingSpan is the span of at (the context active here by default) if it is recorded
 * (sampled), else undefined: the test each part makes before any work for a child span, so that
 * an unsampled request costs it no span, no attributes and no closure. The active context is
 * only that of synchronous work (see SyncContextManager).
 */
export function recordingSpan(at: Context = context.active()): Span | undefined {
  const span = trace.getSpan(at);
  return span?.isRecording() ? span : undefined;
}

/**
 * clientSpan runs work in a client span (a store query, a Redis command), the child of the span
 * of parent, described by attributes and, once work resolves, by what outcome says of its
 * result; a failure is recorded on the span. Call it only where {@link recordingSpan} is one.
 */
export async function clientSpan<T>(
  parent: Context,
  name: string,
  attributes: Attributes,
  work: () => Promise<T>,
  outcome?: (result: T) => Attributes,
): Promise<T> {
  const span = tracer().startSpan(name, { kind: SpanKind.CLIENT, attributes }, parent);
  try {
    const result = await context.with(trace.setSpan(parent, span), work);
    if (outcome !== undefined) span.setAttributes(outcome(result));
    return result;
  } catch (error) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR });
    throw error;
  } finally {
    span.end();
  }
}
