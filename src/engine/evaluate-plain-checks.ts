// Plain checks asked of the dispatcher chain together: batched by who asks, each failing alone.

import type { Dispatcher, Evaluation } from "../dispatch/dispatcher.js";
import type { CaveatContext } from "../schema/caveat/compiled-caveat.js";
import type { CompiledSchema } from "../schema/compiled-schema.js";
import type { SnapshotReader } from "../store/store.js";
import { canonicalJson } from "../tuple/canonical-json.js";
import { formatSubjectRef } from "../tuple/format-relationship.js";
import type { ObjectRef, SubjectRef } from "../tuple/relationship.js";
import type { CheckWork } from "./check-work.js";
import { EngineError } from "./engine-error.js";
import type { Outcome } from "./outcome.js";

/** PlainCheck is one plain check: whether `subject` has `permission` on `resource`. */
export interface PlainCheck {
  readonly resource: ObjectRef;
  readonly permission: string;
  readonly subject: SubjectRef;
  readonly context: CaveatContext;
  readonly explain: boolean;
}

/** PlainCheckSetup is what every plain check is asked through. */
export interface PlainCheckSetup {
  readonly schema: CompiledSchema;
  readonly dispatcher: Dispatcher;
  readonly maxDepth: number;
}

/**
 * evaluatePlainChecks answers each check at the reader's snapshot, through the dispatcher chain:
 * checks that share a subject, a context and a permission on one type go as one dispatch, and
 * every dispatch reads through the same reader, so their walks can share reads. A check whose
 * evaluation fails gets its EngineError; the others of its batch are answered one by one, so that
 * one failure (a caveat that cannot be evaluated, say) fails no other. Other errors are thrown.
 */
export async function evaluatePlainChecks(
  setup: PlainCheckSetup,
  reader: SnapshotReader,
  checks: readonly PlainCheck[],
  work: CheckWork = { dispatches: 0, queries: 0 },
): Promise<(Outcome | EngineError)[]> {
  const answers: (Outcome | EngineError)[] = new Array(checks.length);
  const groups = new Map<string, number[]>();
  checks.forEach((check, index) => {
    const key = [
      check.resource.type,
      check.permission,
      formatSubjectRef(check.subject),
      canonicalJson(check.context),
      check.explain ? "e" : "",
    ].join("\u0000");
    const group = groups.get(key);
    if (group) group.push(index);
    else groups.set(key, [index]);
  });
  await Promise.all(
    [...groups.values()].map(async (indexes) => {
      try {
        const outcomes = await dispatch(
          setup,
          reader,
          indexes.map((i) => checks[i]!),
          work,
        );
        for (const i of indexes) answers[i] = outcomes.get(checks[i]!.resource.id)!;
      } catch (error) {
        asEngineError(error);
        await Promise.all(
          indexes.map(async (i) => {
            try {
              const outcomes = await dispatch(setup, reader, [checks[i]!], work);
              answers[i] = outcomes.get(checks[i]!.resource.id)!;
            } catch (itemError) {
              answers[i] = asEngineError(itemError);
            }
          }),
        );
      }
    }),
  );
  return answers;
}

/** dispatch asks the chain about a group of checks that differ only in their resource's id. */
function dispatch(
  { schema, dispatcher, maxDepth }: PlainCheckSetup,
  reader: SnapshotReader,
  group: readonly PlainCheck[],
  work: CheckWork,
): Promise<ReadonlyMap<string, Outcome>> {
  const [first] = group;
  const evaluation: Evaluation = {
    schema,
    reader,
    context: first!.context,
    subject: first!.subject,
    explain: first!.explain,
    dispatcher,
    memo: new Map(),
    work,
  };
  return dispatcher.dispatchCheck({
    evaluation,
    resourceType: first!.resource.type,
    resourceIds: [...new Set(group.map((q) => q.resource.id))],
    name: first!.permission,
    depthRemaining: maxDepth,
    path: undefined,
    cancellation: { cancelled: false },
  });
}

/** asEngineError returns an EngineError as it is and throws anything else. */
function asEngineError(error: unknown): EngineError {
  if (error instanceof EngineError) return error;
  throw error;
}
