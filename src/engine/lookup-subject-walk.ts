// LookupSubjects' candidate search: down the permission's rewrite tree to the subjects stored at its leaves.

import type { CompiledSchema, Rewrite } from "../schema/compiled-schema.js";
import type { SnapshotReader } from "../store/store.js";
import type { ObjectRef } from "../tuple/relationship.js";
import { WILDCARD } from "../tuple/relationship.js";
import { chunks, QUERY_CHUNK, setAt } from "./lookup-ids.js";

/** SubjectSearch names the subjects sought: those of `subjectType` (`#subjectRelation`) with `permission` on `resource`. */
export interface SubjectSearch {
  readonly resource: ObjectRef;
  readonly permission: string;
  readonly subjectType: string;
  readonly subjectRelation?: string;
}

interface Subtracted {
  readonly type: string;
  readonly ids: readonly string[];
  readonly rewrite: Rewrite;
}

/**
 * SubjectWalk reads, from the resource down, every relationship a check of the permission could
 * read (relations, arrows, nested subject sets), batched per (relation, objects) and once per
 * object and relation, so that cycles in the data end. It collects the ids of stored subjects
 * of the sought type, split by position: under no exclusion's subtracted side ("granting"), or
 * only under one ("subtracted").
 *
 * Since check is monotone (more granting relationships never deny, more subtracted ones never
 * allow), a subject has the permission only if it is a granting candidate or the wildcard
 * grants it; and a subject no relationship read names is answered exactly as the wildcard is.
 * So the subtracted side need only be walked when the wildcard grants: {@link walkGranting}
 * walks the rest first and defers it to {@link walkSubtracted}.
 */
export class SubjectWalk {
  /** Ids of subjects stored in granting positions. */
  readonly granting = new Set<string>();
  /** Ids of subjects stored only under the subtracted side of an exclusion. */
  readonly subtracted = new Set<string>();
  /** Whether a relationship in a granting position stores the subject type's wildcard. */
  sawWildcard = false;

  private readonly visited = new Map<string, Set<string>>();
  private pending = new Map<string, Set<string>>();
  private deferred: Subtracted[] = [];
  private inSubtracted = false;

  constructor(
    private readonly schema: CompiledSchema,
    private readonly reader: SnapshotReader,
    private readonly search: SubjectSearch,
  ) {}

  /** walkGranting walks the permission, deferring the subtracted sides of exclusions. */
  async walkGranting(): Promise<void> {
    const { resource, permission } = this.search;
    this.enqueue(resource.type, permission, [resource.id]);
    await this.drain();
  }

  /** walkSubtracted walks the subtracted sides deferred by {@link walkGranting}. */
  async walkSubtracted(): Promise<void> {
    this.inSubtracted = true;
    const deferred = this.deferred;
    this.deferred = [];
    await Promise.all(
      deferred.map(({ type, ids, rewrite }) => this.walkRewrite(type, ids, rewrite)),
    );
    await this.drain();
  }

  private async drain(): Promise<void> {
    while (this.pending.size > 0) {
      const round = this.pending;
      this.pending = new Map();
      await Promise.all(
        [...round].map(([key, ids]) => {
          const separator = key.lastIndexOf("#");
          return this.walkMember(key.slice(0, separator), key.slice(separator + 1), [...ids]);
        }),
      );
    }
  }

  /** enqueue schedules `type:id#name` for each id not walked yet, unless it can never hold the subject type. */
  private enqueue(type: string, name: string, ids: Iterable<string>): void {
    const { subjectType, subjectRelation } = this.search;
    if (
      subjectRelation === undefined &&
      !this.schema.reachability.canReach(type, name, subjectType)
    )
      return;
    // Whether a set walked through holds itself as a subject is for Check to say: make it a candidate.
    if (type === subjectType && name === subjectRelation) for (const id of ids) this.found(id);
    const key = `${type}#${name}`;
    const seen = setAt(this.visited, key);
    for (const id of ids) {
      if (seen.has(id)) continue;
      seen.add(id);
      setAt(this.pending, key).add(id);
    }
  }

  private async walkMember(type: string, name: string, ids: readonly string[]): Promise<void> {
    const member = this.schema.member(type, name);
    if (member?.kind === "relation") await this.walkRelation(type, name, ids);
    else if (member?.kind === "permission") await this.walkRewrite(type, ids, member.rewrite);
  }

  private async walkRelation(
    type: string,
    relation: string,
    ids: readonly string[],
  ): Promise<void> {
    const { subjectType, subjectRelation } = this.search;
    await Promise.all(
      chunks(ids, QUERY_CHUNK).map(async (slice) => {
        const rows = await this.reader.query({ resourceType: type, resourceIds: slice, relation });
        for (const { subject } of rows) {
          if (subject.type === subjectType && subject.relation === subjectRelation) {
            if (subject.id !== WILDCARD) this.found(subject.id);
            else if (!this.inSubtracted) this.sawWildcard = true;
          }
          // Nested sets are walked even when they are the sought subject: they may hold others.
          if (subject.relation !== undefined)
            this.enqueue(subject.type, subject.relation, [subject.id]);
        }
      }),
    );
  }

  private async walkRewrite(type: string, ids: readonly string[], rewrite: Rewrite): Promise<void> {
    switch (rewrite.kind) {
      case "nil":
        return;
      case "self":
        // The object itself is the subject sought when it is of the type, with no relation.
        if (type === this.search.subjectType && this.search.subjectRelation === undefined) {
          for (const id of ids) this.found(id);
        }
        return;
      case "computed":
        this.enqueue(type, rewrite.name, ids);
        return;
      case "arrow":
        await this.walkArrow(type, ids, rewrite);
        return;
      case "union":
      case "intersection":
        await Promise.all(rewrite.children.map((child) => this.walkRewrite(type, ids, child)));
        return;
      case "exclusion":
        if (this.inSubtracted) {
          await Promise.all([
            this.walkRewrite(type, ids, rewrite.base),
            this.walkRewrite(type, ids, rewrite.subtracted),
          ]);
          return;
        }
        this.deferred.push({ type, ids, rewrite: rewrite.subtracted });
        await this.walkRewrite(type, ids, rewrite.base);
        return;
    }
  }

  private async walkArrow(
    type: string,
    ids: readonly string[],
    arrow: Extract<Rewrite, { kind: "arrow" }>,
  ): Promise<void> {
    await Promise.all(
      chunks(ids, QUERY_CHUNK).map(async (slice) => {
        const rows = await this.reader.query({
          resourceType: type,
          resourceIds: slice,
          relation: arrow.tupleset,
        });
        for (const { subject } of rows) {
          // As in check: an arrow walks to the related object whatever the subject relation, never to a wildcard.
          if (subject.id === WILDCARD || !this.schema.member(subject.type, arrow.target)) continue;
          this.enqueue(subject.type, arrow.target, [subject.id]);
        }
      }),
    );
  }

  private found(id: string): void {
    if (!this.inSubtracted) this.granting.add(id);
    else if (!this.granting.has(id)) this.subtracted.add(id);
  }
}
