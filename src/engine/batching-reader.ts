// Merges the reads of sets one level of a walk issues at once into one store query, split back exactly.

import { asObjectRelation, NamedSets } from "../store/named-sets.js";
import { SetMap } from "../store/set-map.js";
import type {
  ObjectRelation,
  QueryOptions,
  RelationshipFilter,
  SnapshotReader,
} from "../store/store.js";
import { formatSubjectRef } from "../tuple/format-relationship.js";
import type { Relationship } from "../tuple/relationship.js";

/**
 * A store whose reads answer faster than this (the memory store, in a microsecond or two) gains
 * nothing from merging, which costs about as much CPU per level as such a read; a database round
 * trip costs a hundred microseconds or more (Postgres, PGlite).
 */
const WORTH_BATCHING_MS = 0.02;

/**
 * ReadCost is what an engine has learned of its store: whether merging reads pays. Each batching
 * reader times its first read (or batch) and updates it, so that the next starts the right way.
 */
export interface ReadCost {
  worthBatching: boolean;
}

/** MergedRead is a read the batching merges: a forward read, or a read of named sets. */
type MergedRead =
  | Required<Pick<RelationshipFilter, "resourceType" | "resourceIds" | "relation">>
  | Required<Pick<RelationshipFilter, "objectRelations">>;

interface Pending {
  readonly read: MergedRead;
  readonly resolve: (rows: Relationship[]) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Every filter field a merged read leaves unset. Typed as a record over the fields, so that a
 * field added to RelationshipFilter must be listed here: a merge must never drop a condition.
 */
const UNSET_IN_MERGED_READS = Object.keys({
  exceptResourceTypePrefix: true,
  resourceIdPrefix: true,
  subjectType: true,
  subjectIds: true,
  subjectRelation: true,
} satisfies Record<
  Exclude<
    keyof RelationshipFilter,
    "resourceType" | "resourceIds" | "relation" | "objectRelations"
  >,
  true
>) as readonly (keyof RelationshipFilter)[];

/**
 * createBatchingReader wraps reader so that the reads of sets (a forward read: type, ids and
 * relation; or named sets, whole or only their relationships with some subjects; no limit or
 * cursor) issued until the pending microtasks settle go to the store as one query, whatever their
 * types and relations: a union's branches, an arrow's tupleset read, the sibling sub-dispatches of
 * one level of a walk and the suspension legs of a decision. Each read gets exactly the rows its
 * own filter selects, in key order, or the query's error. Other reads go straight through, and so
 * do all reads while `cost` says the store answers about as fast as merging costs. The reader
 * times its first read, or batch, and updates `cost`: that switches it, and the engine's next
 * readers.
 */
export function createBatchingReader(
  reader: SnapshotReader,
  cost: ReadCost = { worthBatching: true },
): SnapshotReader {
  let pending: Pending[] = [];
  let timed = false;
  /** learn times the first answer; registered before any caller's, it times the store alone. */
  const learn = (answer: Promise<Relationship[]>, started: number) => {
    timed = true;
    answer.then(
      () => {
        cost.worthBatching = performance.now() - started >= WORTH_BATCHING_MS;
      },
      // A failure is for the reads to report.
      () => {},
    );
  };
  const flush = () => {
    const batch = pending;
    pending = [];
    const wanted = batch.length === 1 ? undefined : SetIndex.of(batch);
    const started = performance.now();
    const answer = ask(reader, wanted?.filter() ?? batch[0]!.read);
    if (!timed) learn(answer, started);
    deliver(batch, wanted, answer);
  };
  return {
    revision: reader.revision,
    now: reader.now,
    query(filter: RelationshipFilter, options?: QueryOptions): Promise<Relationship[]> {
      const read = cost.worthBatching ? asMergedRead(filter, options) : undefined;
      if (read === undefined) {
        if (timed) return reader.query(filter, options);
        const started = performance.now();
        const answer = reader.query(filter, options);
        learn(answer, started);
        return answer;
      }
      return new Promise((resolve, reject) => {
        if (pending.length === 0) afterMicrotasks(flush);
        pending.push({ read, resolve, reject });
      });
    },
  };
}

/**
 * afterMicrotasks runs fn once the microtasks pending now, and those they queue, have run: a
 * microtask, then `process.nextTick`, which Node runs only once the microtask queue is empty. So
 * every branch resuming from the same store answer has issued its reads, however many promise
 * hops it took, and the batch still leaves before the event loop's next turn.
 */
function afterMicrotasks(fn: () => void): void {
  queueMicrotask(() => process.nextTick(fn));
}

/** asMergedRead is the read the batching may merge a read as, or undefined: no limit or cursor. */
function asMergedRead(
  filter: RelationshipFilter,
  options: QueryOptions | undefined,
): MergedRead | undefined {
  if (options !== undefined && (options.limit !== undefined || options.after !== undefined)) {
    return undefined;
  }
  for (const field of UNSET_IN_MERGED_READS) if (filter[field] !== undefined) return undefined;
  const { resourceType, resourceIds, relation, objectRelations } = filter;
  if (objectRelations !== undefined) {
    const alone = resourceType === undefined && resourceIds === undefined && relation === undefined;
    return alone ? { objectRelations } : undefined;
  }
  if (resourceType === undefined || resourceIds === undefined || relation === undefined) {
    return undefined;
  }
  return { resourceType, resourceIds, relation };
}

/** setsOf lists the sets a read selects (of some, only their relationships with some subjects). */
function setsOf(read: MergedRead): readonly ObjectRelation[] {
  if ("objectRelations" in read) return read.objectRelations;
  const { resourceType: type, resourceIds, relation } = read;
  return resourceIds.map((id) => ({ type, id, relation }));
}

/** ask queries reader, turning a synchronous throw into a rejection that reaches every read. */
function ask(reader: SnapshotReader, filter: RelationshipFilter): Promise<Relationship[]> {
  try {
    return reader.query(filter);
  } catch (error) {
    return Promise.reject(error);
  }
}

/** deliver hands each read of the batch the rows of its own sets, or the query's error. */
function deliver(
  batch: readonly Pending[],
  wanted: SetIndex | undefined,
  answer: Promise<Relationship[]>,
): void {
  if (wanted === undefined) {
    const { resolve, reject } = batch[0]!;
    answer.then(resolve, reject);
    return;
  }
  answer.then(
    (rows) => {
      const results: Relationship[][] = batch.map(() => []);
      let previous: Relationship | undefined;
      let wants: readonly Want[] = [];
      for (const row of rows) {
        // Rows come in key order, so the rows of one set come together: one lookup per set.
        if (previous === undefined || !sameSet(row, previous)) {
          wants = wanted.wantsOf(row.resource.type, row.resource.id, row.relation) ?? [];
          previous = row;
        }
        let subject: string | undefined;
        for (const { read, subjects } of wants) {
          if (subjects !== "all") {
            subject ??= formatSubjectRef(row.subject);
            if (!subjects.has(subject)) continue;
          }
          results[read]!.push(row);
        }
      }
      for (let index = 0; index < batch.length; index++) batch[index]!.resolve(results[index]!);
    },
    (error: unknown) => {
      for (const { reject } of batch) reject(error);
    },
  );
}

/** Want is what one read of a batch wants of a set: all of it, or its subjects' relationships. */
interface Want {
  readonly read: number;
  /** "all", or the subjects, as `formatSubjectRef` writes them. */
  subjects: "all" | Set<string>;
}

/** SetIndex maps each set `type:id#relation` a batch reads to what each read wants of it. */
class SetIndex {
  /** The reads that want each set, in read order, each once. */
  private readonly wants = new SetMap<Want[]>();
  /** What the query asks: all of a set, or the subjects any read wants of it. */
  private readonly asked = new NamedSets();

  /** of indexes the sets of every read of batch. */
  static of(batch: readonly Pending[]): SetIndex {
    const index = new SetIndex();
    batch.forEach(({ read }, at) => {
      for (const set of setsOf(read)) index.add(set, at);
    });
    return index;
  }

  private add(set: ObjectRelation, read: number): void {
    const { type, id, relation, subjects } = set;
    this.asked.add(set);
    const texts = subjects?.map(formatSubjectRef);
    const wants = this.wants.get(type, id, relation);
    const last = wants?.[wants.length - 1];
    if (last?.read === read) {
      // A read naming a set twice still gets its rows once: all of them, if it once names no subjects.
      if (texts === undefined) last.subjects = "all";
      else if (last.subjects !== "all") for (const text of texts) last.subjects.add(text);
      return;
    }
    const want: Want = { read, subjects: texts === undefined ? "all" : new Set(texts) };
    if (wants === undefined) this.wants.set(type, id, relation, [want]);
    else wants.push(want);
  }

  /** wantsOf lists the reads that want the set, and what each wants of it. */
  wantsOf(type: string, id: string, relation: string): readonly Want[] | undefined {
    return this.wants.get(type, id, relation);
  }

  /**
   * filter selects exactly the sets wanted: the ids, when all are read whole and are of one type
   * and relation (the store's plain forward read), else the sets themselves, each whole or by the
   * subjects wanted of it.
   */
  filter(): RelationshipFilter {
    const sets = this.asked.list();
    const [first] = sets;
    const forward = sets.every(
      (set) =>
        set.subjects === "all" && set.type === first!.type && set.relation === first!.relation,
    );
    if (first !== undefined && forward) {
      const resourceIds = sets.map((set) => set.id);
      return { resourceType: first.type, resourceIds, relation: first.relation };
    }
    return { objectRelations: sets.map(asObjectRelation) };
  }
}

function sameSet(a: Relationship, b: Relationship): boolean {
  return (
    a.relation === b.relation &&
    a.resource.id === b.resource.id &&
    a.resource.type === b.resource.type
  );
}
