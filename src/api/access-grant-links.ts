// Names, in a decision's proof, the approved access request that wrote a granting relationship.

import { LRUCache } from "lru-cache";
import { type AccessRequest, accessRequestOf } from "../approvals/access-request.js";
import { ACCESS_REQUEST_DEFINITION } from "../approvals/access-request-names.js";
import type { DecisionProof, ProofRelationship } from "../decisions/decision-proof.js";
import type { Revision } from "../revision/revision.js";
import { RevisionWaiters } from "../revision/revision-waiters.js";
import type { Store } from "../store/store.js";
import type { Relationship } from "../tuple/relationship.js";
import { relationshipKey } from "../tuple/relationship-key.js";
import { formatTimestamp } from "../tuple/timestamp.js";

/** How many revisions' full indexes are kept, for proofs the followed index cannot vouch for. */
const INDEXED_REVISIONS = 4;
/** Approved requests read per query while an index is built. */
const READ_PAGE = 1000;
/** How long a proof waits for the followed index to reach its revision before reading one itself. */
const FOLLOW_WAIT_MS = 50;
/**
 * How long past its expiry a grant stays indexed: a proof is made as of its decision's time,
 * moments (or, while the log cannot write, minutes) after it; not for grants long expired.
 */
const EXPIRED_KEPT_MS = 60 * 60 * 1000;

/**
 * AccessGrantLinks adds to each relationship of a proof that an approved access request wrote
 * (its grant) the request's id, as `accessRequest`. A grant is the relationship Approve wrote:
 * same key, no caveat, and the very expiry the request recorded, so a relationship written over
 * it since (by a write, or another approval) is not taken for it. That pairing never changes
 * once written (a grant and its request's approved record commit together), so one index serves
 * every revision: read once, at the first proof that may rest on a grant, then kept up to date
 * from the change stream, and pruned of grants long expired. A proof at a revision the stream
 * has not reached within FOLLOW_WAIT_MS reads the approved requests at its revision instead. A
 * proof without an expiring, uncaveated relationship (one that no approval wrote) costs nothing.
 */
export class AccessGrantLinks {
  /** `key|expiry` of each approved request's grant → the request's id, oldest first. */
  private readonly grants = new Map<string, { readonly id: string; readonly until: number }>();
  /** The revision the followed index reflects every change up to; undefined until it is read. */
  private applied: number | undefined;
  private following: Promise<void> | undefined;
  private readonly waiters = new RevisionWaiters();
  private prunedSize = 0;
  private readonly indexes = new LRUCache<string, Promise<ReadonlyMap<string, string>>>({
    max: INDEXED_REVISIONS,
  });

  constructor(private readonly store: Store) {}

  /** mayLink says whether proof rests on a relationship an approval could have written. */
  mayLink(proof: DecisionProof): boolean {
    return proof.grantedBy?.some(mayBeGrant) === true;
  }

  /** link is proof with the request id on each of its grants, read at revision. */
  async link(revision: Revision, proof: DecisionProof): Promise<DecisionProof> {
    const { grantedBy } = proof;
    if (grantedBy === undefined || !grantedBy.some(mayBeGrant)) return proof;
    const requestOf = (await this.reached(revision))
      ? (grant: string) => this.grants.get(grant)?.id
      : await this.indexAt(revision).then((index) => (grant: string) => index.get(grant));
    let linked = false;
    const entries = grantedBy.map((entry) => {
      const id = mayBeGrant(entry)
        ? requestOf(`${entry.relationship}|${entry.expiresAt}`)
        : undefined;
      if (id === undefined) return entry;
      linked = true;
      return { ...entry, accessRequest: id };
    });
    return linked ? { ...proof, grantedBy: entries } : proof;
  }

  /** reached says whether the followed index reflects revision, waiting for it a little. */
  private async reached(revision: number): Promise<boolean> {
    if (this.following === undefined) {
      const following = this.follow();
      this.following = following;
      // A failed read is not kept: the next proof starts again.
      following.catch(() => {
        if (this.following === following) this.following = undefined;
      });
    }
    await this.following.catch(() => {});
    if (this.applied === undefined) return false;
    if (this.applied >= revision) return true;
    return this.waiters.waitFor(revision, FOLLOW_WAIT_MS);
  }

  /**
   * follow reads the approved requests at the head, then follows the change stream from there
   * in the background; a broken stream leaves the index to be read again at the next proof.
   */
  private async follow(): Promise<void> {
    const head = await this.store.headRevision();
    for (const [grant, id, until] of await readGrants(this.store, head)) this.add(grant, id, until);
    this.applied = head;
    void this.apply(head).catch(() => {
      this.applied = undefined;
      this.following = undefined;
      this.grants.clear();
    });
  }

  private async apply(after: Revision): Promise<void> {
    for await (const change of this.store.watch(after)) {
      const { relationship } = change;
      if (
        change.kind === "touch" &&
        relationship.resource.type === ACCESS_REQUEST_DEFINITION &&
        relationship.relation === "approved"
      ) {
        const found = grantOf(relationship);
        if (found !== undefined) this.add(...found);
      }
      if (change.lastInRevision) this.advance(change.revision);
    }
  }

  private add(grant: string, id: string, until: number): void {
    this.grants.delete(grant);
    this.grants.set(grant, { id, until });
    // Pruned when it has doubled since the last pruning: amortized, and bounded by live grants.
    if (this.grants.size < Math.max(2 * this.prunedSize, READ_PAGE)) return;
    const before = Date.now() - EXPIRED_KEPT_MS;
    for (const [key, entry] of this.grants) if (entry.until < before) this.grants.delete(key);
    this.prunedSize = this.grants.size;
  }

  private advance(revision: number): void {
    this.applied = revision;
    this.waiters.applied(revision);
  }

  private indexAt(revision: Revision): Promise<ReadonlyMap<string, string>> {
    const key = String(revision);
    let index = this.indexes.get(key);
    if (index === undefined) {
      index = readGrants(this.store, revision).then(
        (grants) => new Map(grants.map(([grant, id]) => [grant, id])),
      );
      this.indexes.set(key, index);
      // A failed read is not kept: the next proof reads again.
      index.catch(() => {
        if (this.indexes.get(key) === index) this.indexes.delete(key);
      });
    }
    return index;
  }
}

/**
 * readGrants reads, at revision, each approved request's grant not long expired: `key|expiry`,
 * the request's id, and the grant's expiry (epoch ms).
 */
async function readGrants(
  store: Store,
  revision: Revision,
): Promise<[grant: string, id: string, until: number][]> {
  const reader = store.snapshot(revision, new Date());
  const before = Date.now() - EXPIRED_KEPT_MS;
  const grants: [string, string, number][] = [];
  let after: string | undefined;
  for (;;) {
    const page = await reader.query(
      { resourceType: ACCESS_REQUEST_DEFINITION, relation: "approved" },
      { limit: READ_PAGE, ...(after === undefined ? {} : { after }) },
    );
    for (const record of page) {
      const found = grantOf(record);
      if (found !== undefined && found[2] >= before) grants.push(found);
    }
    const last = page.at(-1);
    if (page.length < READ_PAGE || last === undefined) return grants;
    after = relationshipKey(last);
  }
}

/** mayBeGrant: an approval writes its relationship with an expiry and without a caveat. */
function mayBeGrant(entry: ProofRelationship): boolean {
  return entry.expiresAt !== undefined && entry.caveat === undefined;
}

/** grantOf is an approved request's record's grant: `key|expiry`, the request's id, the expiry. */
function grantOf(record: Relationship): [string, string, number] | undefined {
  const request: AccessRequest = accessRequestOf(record);
  const expiresAt = request.grantExpiresAt;
  if (expiresAt === undefined) return undefined;
  return [
    `${relationshipKey(request.relationship)}|${formatTimestamp(expiresAt)}`,
    record.resource.id,
    expiresAt.getTime(),
  ];
}
