// Batches the sub-problems of a dispatch: one child dispatch per (type, name, path), not one per relationship.

import type { Cancellation, CheckPath, DispatchCheck } from "../dispatch/dispatcher.js";
import { DENIED, type Outcome } from "./outcome.js";

/**
 * childPathFor is the path below a resource of a dispatch. Only recursive sets can meet
 * themselves again, so only they extend the path; for the others every resource shares the
 * parent's path, and their sub-problems can be batched together.
 */
export function childPathFor(request: DispatchCheck, resourceId: string): CheckPath | undefined {
  const { schema } = request.evaluation;
  if (!schema.reachability.isRecursive(request.resourceType, request.name)) return request.path;
  return { key: `${request.resourceType}:${resourceId}#${request.name}`, parent: request.path };
}

/** ChildDispatches collects sub-problems while a dispatch reads, then runs them in batches. */
export class ChildDispatches {
  private readonly groups = new Map<CheckPath | undefined, Map<string, Set<string>>>();
  private readonly results = new Map<
    CheckPath | undefined,
    Map<string, ReadonlyMap<string, Outcome>>
  >();
  private readonly paths = new Map<string, CheckPath | undefined>();

  constructor(
    private readonly request: DispatchCheck,
    private readonly cancellation: Cancellation = request.cancellation,
  ) {}

  /** add asks for `type:id#name`, below the parent resource `parentId`. */
  add(parentId: string, type: string, id: string, name: string): void {
    const path = this.pathBelow(parentId);
    let byName = this.groups.get(path);
    if (!byName) {
      byName = new Map();
      this.groups.set(path, byName);
    }
    const key = `${type}#${name}`;
    const ids = byName.get(key);
    if (ids) ids.add(id);
    else byName.set(key, new Set([id]));
  }

  /** run dispatches every batch concurrently. */
  async run(): Promise<void> {
    const { evaluation, depthRemaining } = this.request;
    const runs: Promise<void>[] = [];
    for (const [path, byName] of this.groups) {
      const results = new Map<string, ReadonlyMap<string, Outcome>>();
      this.results.set(path, results);
      for (const [key, ids] of byName) {
        const separator = key.lastIndexOf("#");
        const dispatch = evaluation.dispatcher.dispatchCheck({
          evaluation,
          resourceType: key.slice(0, separator),
          resourceIds: [...ids],
          name: key.slice(separator + 1),
          depthRemaining: depthRemaining - 1,
          path,
          cancellation: this.cancellation,
          traceContext: this.request.traceContext,
        });
        runs.push(dispatch.then((outcomes) => void results.set(key, outcomes)));
      }
    }
    await Promise.all(runs);
  }

  /** outcome is the answer for `type:id#name` asked below `parentId`. */
  outcome(parentId: string, type: string, id: string, name: string): Outcome {
    return this.results.get(this.pathBelow(parentId))?.get(`${type}#${name}`)?.get(id) ?? DENIED;
  }

  /** pathBelow builds each parent's path once, so that its sub-problems group under one key. */
  private pathBelow(parentId: string): CheckPath | undefined {
    if (this.paths.has(parentId)) return this.paths.get(parentId);
    const path = childPathFor(this.request, parentId);
    this.paths.set(parentId, path);
    return path;
  }
}
