// Merges the forward reads one level of a walk issues at once into one store query, split back exactly.

import type {
  ObjectRelation,
  QueryOptions,
  RelationshipFilter,
  SnapshotReader,
} from "../store/store.js";
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

/** ForwardRead is the read the batching merges: the relationships of some ids of one type and relation. */
type ForwardRead = Required<Pick<RelationshipFilter, "resourceType" | "resourceIds" | "relation">>;

interface Pending {
  readonly read: ForwardRead;
  readonly resolve: (rows: Relationship[]) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Every filter field a forward read leaves unset. Typed as a record over the fields, so that a
 * field added to RelationshipFilter must be listed here: a merge must never drop a condition.
 */
const UNSET_IN_FORWARD_READS = Object.keys({
  objectRelations: true,
  subjectType: true,
  subjectIds: true,
  subjectRelation: true,
} satisfies Record<
  Exclude<keyof RelationshipFilter, keyof ForwardRead>,
  true
>) as readonly (keyof RelationshipFilter)[];

/**
 * createBatchingReader wraps reader so that the forward reads (type, ids and relation; no limit
 * or cursor) issued until the pending microtasks settle go to the store as one query, whatever
 * their types and relations: a union's branches, an arrow's tupleset read and the sibling
 * sub-dispatches of one level of a walk. Each read gets exactly the rows its own filter selects,
 * in key order, or the query's error. Other reads go straight through, and so do all reads
 * while `cost` says the store answers about as fast as merging costs. The reader times its first
 * read, or batch, and updates `cost`: that switches it, and the engine's next readers.
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
      const read = cost.worthBatching ? asForwardRead(filter, options) : undefined;
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

function asForwardRead(
  filter: RelationshipFilter,
  options: QueryOptions | undefined,
): ForwardRead | undefined {
  if (options !== undefined && (options.limit !== undefined || options.after !== undefined)) {
    return undefined;
  }
  const { resourceType, resourceIds, relation } = filter;
  if (resourceType === undefined || resourceIds === undefined || relation === undefined) {
    return undefined;
  }
  for (const field of UNSET_IN_FORWARD_READS) if (filter[field] !== undefined) return undefined;
  return { resourceType, resourceIds, relation };
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
      let readers: readonly number[] = [];
      for (const row of rows) {
        // Rows come in key order, so the rows of one set come together: one lookup per set.
        if (previous === undefined || !sameSet(row, previous)) {
          readers = wanted.get(row.resource.type, row.resource.id, row.relation) ?? [];
          previous = row;
        }
        for (const index of readers) results[index]!.push(row);
      }
      for (let index = 0; index < batch.length; index++) batch[index]!.resolve(results[index]!);
    },
    (error: unknown) => {
      for (const { reject } of batch) reject(error);
    },
  );
}

/** SetIndex maps each set `type:id#relation` a batch wants to the reads that want it, in read order. */
class SetIndex {
  /** type → relation → id → indexes of the reads: nested, so that no id can make two sets collide. */
  private readonly byType = new Map<string, Map<string, Map<string, number[]>>>();
  private readonly sets: ObjectRelation[] = [];

  /** of indexes the sets of every read of batch. */
  static of(batch: readonly Pending[]): SetIndex {
    const index = new SetIndex();
    batch.forEach(({ read }, at) => {
      for (const id of read.resourceIds) index.add(read.resourceType, id, read.relation, at);
    });
    return index;
  }

  private add(type: string, id: string, relation: string, index: number): void {
    let byRelation = this.byType.get(type);
    if (byRelation === undefined) {
      byRelation = new Map();
      this.byType.set(type, byRelation);
    }
    let byId = byRelation.get(relation);
    if (byId === undefined) {
      byId = new Map();
      byRelation.set(relation, byId);
    }
    const indexes = byId.get(id);
    if (indexes === undefined) {
      byId.set(id, [index]);
      this.sets.push({ type, id, relation });
    } else if (indexes[indexes.length - 1] !== index) {
      // A read naming an id twice still gets its rows once.
      indexes.push(index);
    }
  }

  get(type: string, id: string, relation: string): readonly number[] | undefined {
    return this.byType.get(type)?.get(relation)?.get(id);
  }

  /**
   * filter selects exactly the sets wanted: the ids, when all are of one type and relation (the
   * store's plain forward read), else the sets themselves.
   */
  filter(): RelationshipFilter {
    const [first] = this.sets;
    if (first !== undefined && this.byType.size === 1 && this.byType.get(first.type)!.size === 1) {
      const resourceIds = this.sets.map((set) => set.id);
      return { resourceType: first.type, resourceIds, relation: first.relation };
    }
    return { objectRelations: this.sets };
  }
}

function sameSet(a: Relationship, b: Relationship): boolean {
  return (
    a.relation === b.relation &&
    a.resource.id === b.resource.id &&
    a.resource.type === b.resource.type
  );
}
