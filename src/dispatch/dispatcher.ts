// The dispatcher seam: every sub-problem of a check goes through a chain of links (cache → singleflight → local).

import type { Context } from "@opentelemetry/api";
import type { CheckWork } from "../engine/check-work.js";
import type { Outcome } from "../engine/outcome.js";
import type { CaveatContext } from "../schema/caveat/compiled-caveat.js";
import type { CompiledSchema } from "../schema/compiled-schema.js";
import type { SnapshotReader } from "../store/store.js";
import type { SubjectRef } from "../tuple/relationship.js";

/**
 * CheckPath is the chain of recursive sub-problems (`type:id#name`) above a dispatch; meeting
 * one of them again means the data has a cycle, which is cut (taken as denied).
 */
export interface CheckPath {
  readonly key: string;
  readonly parent: CheckPath | undefined;
}

/** Evaluation is what every sub-problem of one request shares. */
export interface Evaluation {
  readonly schema: CompiledSchema;
  readonly reader: SnapshotReader;
  /** The request's caveat context; a relationship's own context wins over it. */
  readonly context: CaveatContext;
  readonly subject: SubjectRef;
  readonly explain: boolean;
  /** The head of the dispatcher chain, for sub-problems. */
  readonly dispatcher: Dispatcher;
  /** Outcomes already computed in this request (never cyclic ones), by `type:id#name`. */
  readonly memo: Map<string, Outcome>;
  /** Where the request counts the dispatches it evaluates. */
  readonly work: CheckWork;
}

/** Cancellation lets a union or intersection stop its other branches once it knows its answer. */
export interface Cancellation {
  readonly cancelled: boolean;
}

/** DispatchCheck asks whether the evaluation's subject has `name` on each of `resourceIds`. */
export interface DispatchCheck {
  readonly evaluation: Evaluation;
  readonly resourceType: string;
  readonly resourceIds: readonly string[];
  readonly name: string;
  /** How many more levels the walk may descend. */
  readonly depthRemaining: number;
  readonly path: CheckPath | undefined;
  readonly cancellation: Cancellation;
  /**
   * The trace of a sampled dispatch, which its sub-problems are spans beneath: carried with the
   * dispatch, since the active context does not cross the awaits of a walk (see the tracing link).
   */
  readonly traceContext?: Context;
}

/** Question is one sub-problem on its own: whether subject (given context) has name on a resource. */
export interface Question {
  readonly resourceType: string;
  readonly resourceId: string;
  readonly name: string;
  readonly subject: SubjectRef;
  readonly context: CaveatContext;
  /** How many levels the walk may descend: an answer that took more is not this question's. */
  readonly depthRemaining: number;
}

/** Dispatcher answers a DispatchCheck with an outcome per resource id. */
export interface Dispatcher {
  dispatchCheck(request: DispatchCheck): Promise<ReadonlyMap<string, Outcome>>;
  /**
   * answered returns the outcome of question that the chain already holds (an exact entry of the
   * in-process cache), without waiting, or undefined; `now` (epoch ms) judges expiry. A check
   * the cache holds is so answered in the tick that received it: no promise, no store read.
   */
  answered(question: Question, now: number): Outcome | undefined;
}
