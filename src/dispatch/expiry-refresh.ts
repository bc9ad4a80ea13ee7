// Answers computed ahead of an expiry, so that the first check after a grant expires reads nothing.

import { LRUCache } from "lru-cache";
import type { CheckEngine, CheckRequest, CheckResult } from "../engine/check-engine.js";
import { endsWithItsSecond } from "../engine/server-time.js";
import type { Revision } from "../revision/revision.js";
import type { Store } from "../store/store.js";
import { formatSubjectRef } from "../tuple/format-relationship.js";
import { questionKey } from "./request-key.js";

/** How long before an expiry a check resting on it is computed again, as of the expiry. */
const REFRESH_AHEAD_MS = 1000;
/** How many refreshes are remembered, so that each is started once. */
const REMEMBERED_REFRESHES = 10_000;

/**
 * ExpiryRefresher computes, in the background and once per revision, the answer a check will have
 * when a relationship its answer rests on expires, once that is less than a second away. The
 * result cache keeps what it computes for that time (see the caching dispatcher), so the first
 * check after the expiry is answered from the cache at once instead of reading the store; and
 * should anything it read change before then, the change tracker retires it like any entry.
 *
 * An answer that used the server's time ends with its second, so it is always that close to its
 * end: it is computed ahead for the next second only once it is asked again (answered from the
 * cache), or every such answer, hot or not, would be computed twice.
 */
export class ExpiryRefresher {
  private readonly started = new LRUCache<string, true>({ max: REMEMBERED_REFRESHES });

  constructor(private readonly store: Pick<Store, "snapshot">) {}

  /**
   * consider starts the refresh of question, answered with result at revision by checks as of
   * `evaluatedAt` (epoch ms), if due. Pass only answers of an engine whose dispatcher chain caches: another
   * would keep nothing.
   */
  consider(
    revision: Revision,
    checks: Pick<CheckEngine, "check">,
    question: CheckRequest,
    result: CheckResult,
    evaluatedAt: number,
  ): void {
    const { validUntil } = result;
    if (!Number.isFinite(validUntil) || validUntil - Date.now() > REFRESH_AHEAD_MS) return;
    if (question.explain) return;
    if (!result.servedFromCache && endsWithItsSecond(validUntil, evaluatedAt)) return;
    const { resource, permission, subject, actors = [], context = {} } = question;
    const chain = actors.map((actor) => `>${formatSubjectRef(actor)}`).join("");
    const key = `${revision}|${validUntil}|${resource.type}:${resource.id}#${permission}${questionKey(subject, context)}${chain}`;
    if (this.started.has(key)) return;
    this.started.set(key, true);
    const reader = this.store.snapshot(revision, new Date(validUntil));
    // A refresh that fails costs only what it would have saved: a store read after the expiry.
    checks.check(reader, question).catch(() => {});
  }
}
