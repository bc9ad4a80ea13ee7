// What a VU's k6 modules share with the runner: the VU's number and iteration, its tags, the
// metrics it records to, and the work its iteration started and must wait for (k6's event loop).

import type { GrpcConnection } from "./grpc-connection.js";
import type { MethodTable } from "./method-table.js";
import type { MetricRegistry, Tags } from "./metric-registry.js";

/** VuContext is one VU as its modules see it. */
export interface VuContext {
  /** id is `__VU`: 1 and up; 0 in setup() and teardown(). */
  readonly id: number;
  /** iteration is `__ITER`: this VU's iterations before the current one. */
  iteration: number;
  /** tags go on every sample the VU records (its scenario). */
  readonly tags: Tags;
  readonly registry: MetricRegistry;
  /** The run's SharedArrays by name: each made once, by the first VU that asks. */
  readonly shared: Map<string, readonly unknown[]>;
  /**
   * pending is what the current iteration started (a stream) and must end before the iteration
   * does; the iteration fails with the first of them that fails.
   */
  readonly pending: Set<Promise<unknown>>;
  /** descriptors are the run's method tables by target, made by the first VU to connect there. */
  readonly descriptors: Map<string, Promise<MethodTable>>;
  /** connections are the run's HTTP/2 connections by target, shared by its VUs. */
  readonly connections: Map<string, GrpcConnection>;
  /** scriptDirectory is where `open` finds files named relative to the script. */
  readonly scriptDirectory: string;
}

/** track keeps promise in the VU's pending work until it settles. */
export function track(vu: VuContext, promise: Promise<unknown>): void {
  vu.pending.add(promise);
  const forget = () => {
    vu.pending.delete(promise);
  };
  promise.then(forget, forget);
}

/**
 * TagNode is a tag set already made: a VU's tags, then each (key, value) added in turn. Samples
 * share them, so a call makes no tag object (at thousands a second, they were the runner's
 * garbage).
 */
interface TagNode {
  readonly tags: Tags;
  next?: Map<string, Map<string, TagNode>>;
}

/** The tag sets made so far, from each VU's tags. */
const madeTags = new WeakMap<Tags, TagNode>();
/** Past this many tag sets (a tag with a value per call), each sample makes its own. */
const MAX_TAG_SETS = 10_000;
let tagSets = 0;

/**
 * sampleTags merges the VU's tags with a call's (and then, when given, the check's name as
 * `check`), as one shared, frozen object per distinct set.
 */
export function sampleTags(vu: VuContext, tags: object | undefined, check?: string): Tags {
  let node = madeTags.get(vu.tags);
  if (node === undefined) {
    node = { tags: vu.tags };
    madeTags.set(vu.tags, node);
  }
  const own = tags as Record<string, unknown> | undefined;
  for (const key in own) node = withTag(node, key, String(own[key]));
  if (check !== undefined) node = withTag(node, "check", check);
  return node.tags;
}

function withTag(node: TagNode, key: string, value: string): TagNode {
  const byValue = node.next?.get(key);
  const known = byValue?.get(value);
  if (known !== undefined) return known;
  const made: TagNode = { tags: Object.freeze({ ...node.tags, [key]: value }) };
  if (tagSets >= MAX_TAG_SETS) return made;
  tagSets++;
  node.next ??= new Map();
  if (byValue === undefined) node.next.set(key, new Map([[value, made]]));
  else byValue.set(value, made);
  return made;
}

/** K6Module is one k6 module as a script imports it: its named exports and `default`. */
export type K6Module = Readonly<Record<string, unknown>>;
