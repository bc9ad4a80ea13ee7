// The tracing link at the head of a traced server's dispatcher chain: a span per sampled dispatch.

import { type Attributes, context, type Span, trace } from "@opentelemetry/api";
import type { Outcome } from "../engine/outcome.js";
import type { CaveatContext } from "../schema/caveat/compiled-caveat.js";
import { recordingSpan, type TraceSettings, tracer } from "../telemetry/tracing.js";
import { canonicalJson } from "../tuple/canonical-json.js";
import { formatSubjectRef } from "../tuple/format-relationship.js";
import type { SubjectRef } from "../tuple/relationship.js";
import type { Dispatcher } from "./dispatcher.js";

/**
 * createTracingDispatcher returns the link that makes a span `check type#name` for each dispatch
 * (and each answer the chain holds at once) of a sampled request, the child of the span active
 * there (the server's, or the dispatch above), with the walk's depth, whether the cache answered
 * every resource and, for one resource, its result; its ids, subject and caveat context only when
 * settings allow. Sub-problems come back through the head of the chain, so they nest beneath.
 * A dispatch of an unsampled request goes straight to next: no span, no attribute, no closure.
 */
export function createTracingDispatcher(
  next: Dispatcher,
  maxDepth: number,
  settings: TraceSettings,
): Dispatcher {
  const named = (resourceType: string, name: string) => `check ${resourceType}#${name}`;
  const spans = tracer();
  const identify = (
    span: Span,
    resourceIds: readonly string[],
    subject: SubjectRef,
    caveatContext: CaveatContext,
  ) => {
    if (!settings.identifiers) return;
    span.setAttributes({
      "latch.resource_ids": [...resourceIds],
      "latch.subject": formatSubjectRef(subject),
      "latch.caveat_context": canonicalJson(caveatContext),
    });
  };
  return {
    answered(question, now) {
      const outcome = next.answered(question, now);
      if (outcome === undefined || recordingSpan() === undefined) return outcome;
      const span = spans.startSpan(named(question.resourceType, question.name), {
        attributes: {
          "latch.depth": maxDepth - question.depthRemaining,
          "latch.cached": true,
          "latch.result": outcome.kind,
        },
      });
      identify(span, [question.resourceId], question.subject, question.context);
      span.end();
      return outcome;
    },

    async dispatchCheck(request) {
      const parent = request.traceContext ?? context.active();
      if (recordingSpan(parent) === undefined) return next.dispatchCheck(request);
      const { evaluation, resourceIds } = request;
      const span = spans.startSpan(
        named(request.resourceType, request.name),
        {
          attributes: {
            "latch.depth": maxDepth - request.depthRemaining,
            "latch.resource_count": resourceIds.length,
          },
        },
        parent,
      );
      identify(span, resourceIds, evaluation.subject, evaluation.context);
      try {
        // Active for the links' synchronous work (a Redis GET), and carried for the walk's.
        const traceContext = trace.setSpan(parent, span);
        const outcomes = await context.with(traceContext, () =>
          next.dispatchCheck({ ...request, traceContext }),
        );
        span.setAttributes(outcomeAttributes(outcomes));
        return outcomes;
      } catch (error) {
        span.recordException(error instanceof Error ? error : String(error));
        throw error;
      } finally {
        span.end();
      }
    },
  };
}

/** outcomeAttributes say whether the cache answered every resource, and the result of one alone. */
function outcomeAttributes(outcomes: ReadonlyMap<string, Outcome>): Attributes {
  let cached = true;
  for (const outcome of outcomes.values()) cached &&= outcome.fromCache === true;
  if (outcomes.size !== 1) return { "latch.cached": cached };
  const [only] = outcomes.values();
  return { "latch.cached": cached, "latch.result": only!.kind };
}
