// The server's log: one JSON object a line (pino), with a level, and the trace of the request it was said in.

import { context, trace } from "@opentelemetry/api";
import { type DestinationStream, pino } from "pino";

/** LOG_LEVELS are LATCH_LOG_LEVEL's values, most verbose first; `silent` logs nothing. */
export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;

/** LogLevel is a level of LATCH_LOG_LEVEL. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** LineLevel is the level of one line: `info` when the caller does not say. */
export type LineLevel = "debug" | "info" | "warn" | "error";

/**
 * LogLine writes one line of the server's log. The server's parts take one (a test passes a
 * function that keeps the lines); `latch serve` passes {@link Logger.line}.
 */
export type LogLine = (line: string, level?: LineLevel) => void;

/** Logger is the server's log. */
export interface Logger {
  /** line writes message at level (`info` by default). */
  readonly line: LogLine;
  /** failure writes an error line: message, and the error's message and stack as `err`. */
  failure(message: string, error: unknown): void;
}

/**
 * createLogger makes the server's log at level, each line written to destination as it is said. A
 * line said while a request's span is active carries `trace_id` and `span_id`, so that a log line
 * leads to its trace.
 */
export function createLogger(level: LogLevel, destination: DestinationStream): Logger {
  const log = pino(
    {
      level,
      base: { service: "latch" },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: traceFields,
    },
    destination,
  );
  return {
    line: (line, lineLevel = "info") => log[lineLevel](line),
    failure: (message, error) => log.error({ err: error }, message),
  };
}

/** traceFields are the ids of the span active where a line is said, if one is. */
function traceFields(): object {
  const span = trace.getSpan(context.active());
  if (span === undefined) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}
