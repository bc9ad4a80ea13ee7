// Names, in a decision's proof, the approved access request that wrote a granting relationship.

import { LRUCache } from "lru-cache";
import { type AccessRequest, accessRequestOf } from "../approvals/access-request.js";
import { ACCESS_REQUEST_DEFINITION } from "../approvals/access-request-names.js";
import type { DecisionProof, ProofRelationship } from "../decisions/decision-proof.js";
import type { Revision } from "../revision/revision.js";
import type { Store } from "../store/store.js";
import { relationshipKey } from "../tuple/relationship-key.js";
import { formatTimestamp } from "../tuple/timestamp.js";

/** How many revisions' indexes are kept: proofs are made at the few latest revisions. */
const INDEXED_REVISIONS = 4;
/** Approved requests read per query while an index is built. */
const READ_PAGE = 1000;

/**
 * AccessGrantLinks adds to each relationship of a proof that an approved access request wrote
 * (its grant) the request's id, as `accessRequest`. A grant is the relationship Approve wrote:
 * same key, no caveat, and the very expiry the request recorded, so a relationship written over
 * it since (by a write, or another approval) is not taken for it. The approved requests are read
 * at the proof's revision, once per revision for all proofs made at it; a proof without an
 * expiring, uncaveated relationship (one that no approval wrote) costs nothing.
 */
export class AccessGrantLinks {
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
    const grants = await this.indexAt(revision);
    if (grants.size === 0) return proof;
    let linked = false;
    const entries = grantedBy.map((entry) => {
      const id = mayBeGrant(entry)
        ? grants.get(`${entry.relationship}|${entry.expiresAt}`)
        : undefined;
      if (id === undefined) return entry;
      linked = true;
      return { ...entry, accessRequest: id };
    });
    return linked ? { ...proof, grantedBy: entries } : proof;
  }

  private indexAt(revision: Revision): Promise<ReadonlyMap<string, string>> {
    const key = String(revision);
    let index = this.indexes.get(key);
    if (index === undefined) {
      index = this.readIndex(revision);
      this.indexes.set(key, index);
      // A failed read is not kept: the next proof reads again.
      index.catch(() => {
        if (this.indexes.get(key) === index) this.indexes.delete(key);
      });
    }
    return index;
  }

  /** readIndex maps each approved request's grant, `key|expiry`, to the request's id. */
  private async readIndex(revision: Revision): Promise<ReadonlyMap<string, string>> {
    const reader = this.store.snapshot(revision, new Date());
    const grants = new Map<string, string>();
    let after: string | undefined;
    for (;;) {
      const page = await reader.query(
        { resourceType: ACCESS_REQUEST_DEFINITION, relation: "approved" },
        { limit: READ_PAGE, ...(after === undefined ? {} : { after }) },
      );
      for (const record of page) {
        const grant = grantKey(accessRequestOf(record));
        if (grant !== undefined) grants.set(grant, record.resource.id);
      }
      const last = page.at(-1);
      if (page.length < READ_PAGE || last === undefined) return grants;
      after = relationshipKey(last);
    }
  }
}

/** mayBeGrant: an approval writes its relationship with an expiry and without a caveat. */
function mayBeGrant(entry: ProofRelationship): boolean {
  return entry.expiresAt !== undefined && entry.caveat === undefined;
}

function grantKey(request: AccessRequest): string | undefined {
  const expiresAt = request.grantExpiresAt;
  if (expiresAt === undefined) return undefined;
  return `${relationshipKey(request.relationship)}|${formatTimestamp(expiresAt)}`;
}
