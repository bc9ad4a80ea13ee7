// Proofs for the decision log, made off the request path and shared by the answers they prove.

import { LRUCache } from "lru-cache";
import type { ChangeTracker } from "../cache/change-tracker.js";
import type { ProofSource } from "../decisions/decision-log.js";
import { checkProof, type DecisionProof } from "../decisions/decision-proof.js";
import { questionKey } from "../dispatch/request-key.js";
import type { CheckRequest, CheckResult } from "../engine/check-engine.js";
import type { OutcomeKind } from "../engine/outcome.js";
import type { Revision } from "../revision/revision.js";
import type { Store } from "../store/store.js";
import { formatObjectRef, formatSubjectRef } from "../tuple/format-relationship.js";
import type { AccessGrantLinks } from "./access-grant-links.js";
import type { ReadPoint } from "./api-context.js";

/**
 * PROOF_DELAY_MS is how long after an answer its proof starts: once the answer has gone out (its
 * trailers wait for its message's write, a turn or more of the event loop). Started in the next
 * turn, the proof delayed the answer: the first denial after a grant's expiry took p50 1.6 ms to
 * reach its caller, against 0.9 ms when its proof started later.
 */
const PROOF_DELAY_MS = 5;

/** PROOF_CACHE_ENTRIES bounds how many proofs are kept for answers still to come. */
const PROOF_CACHE_ENTRIES = 10_000;

/** A proof made by evaluating a question again, with what it proves and for how long. */
interface MadeProof {
  readonly result: OutcomeKind;
  readonly proof: DecisionProof;
  /** The sets its evaluation read; absent when it cut a cycle (then it proves its revision only). */
  readonly reads: readonly string[] | undefined;
  /** The time (epoch ms) it was evaluated as of, and until when its answer held. */
  readonly evaluatedAt: number;
  readonly validUntil: number;
}

interface Entry {
  readonly schema: ReadPoint["schema"];
  /** The revision it is made at. */
  readonly revision: Revision;
  readonly made: Promise<MadeProof>;
  /** The proof once made. */
  done?: MadeProof;
}

/**
 * ProofCache makes the proof of a check that was answered without an explanation (most are: from
 * the cache, or evaluated without `explain`): the same question, evaluated again with `explain`
 * at the same revision and time, by the engines without a cache. Answers to one question share a
 * proof while it holds: until the earliest expiry or caveat time it rests on, and at later
 * revisions while the change tracker vouches that none of the sets it read changed (as it does
 * for the result cache), so that a hot check costs one evaluation, not one per answer nor one per
 * write anywhere in the store. A proof whose answer is not the one given says so instead of
 * proving it. Its grants name their access requests.
 */
export class ProofCache {
  private readonly made = new LRUCache<string, Entry>({ max: PROOF_CACHE_ENTRIES });

  constructor(
    private readonly store: Store,
    private readonly tracker: ChangeTracker,
    private readonly links: AccessGrantLinks,
  ) {}

  /**
   * known is the proof of `answer`, given to question at read point `at` as of evaluatedAt, when
   * one made before holds for it: at once, so that its record can be written without waiting.
   */
  known(
    at: ReadPoint,
    question: CheckRequest,
    answer: CheckResult,
    evaluatedAt: number,
  ): DecisionProof | undefined {
    const asked = proofKey(question);
    // The question's newest proof is most often of this very revision: then it is the exact one.
    const latest = this.entry(asked, at);
    const exact =
      latest?.revision === at.revision
        ? latest.done
        : this.entry(`${at.revision}|${asked}`, at)?.done;
    const made =
      exact !== undefined && holds(exact, evaluatedAt)
        ? exact
        : this.laterProof(asked, at, evaluatedAt);
    return made?.result === answer.result ? made.proof : undefined;
  }

  /**
   * proving starts the proof of `answer` (see prove) PROOF_DELAY_MS after the answer, or at once
   * when the log asks for it sooner, and is where the log gets it: that proof first, then, should
   * the log need it again (the store did not answer), a new attempt. Made as answers are given,
   * proofs spread out with them: made as the log writes, every 100 ms, they came in bursts of
   * queries that the checks of that moment waited behind (measured: most of the approval bench's
   * p99 on two cores).
   */
  proving(
    at: ReadPoint,
    question: CheckRequest,
    answer: CheckResult,
    evaluatedAt: number,
  ): ProofSource {
    const prove = () => this.prove(at, question, answer, evaluatedAt);
    let early: Promise<DecisionProof> | undefined;
    const timer = setTimeout(() => {
      early = prove();
      // Its failure is the log's to handle, when it takes the proof.
      early.catch(() => {});
    }, PROOF_DELAY_MS);
    timer.unref();
    return () => {
      clearTimeout(timer);
      const proof = early ?? prove();
      early = undefined;
      return proof;
    };
  }

  /** prove is the proof of `answer`, given to question at read point `at` as of evaluatedAt (epoch ms). */
  async prove(
    at: ReadPoint,
    question: CheckRequest,
    answer: CheckResult,
    evaluatedAt: number,
  ): Promise<DecisionProof> {
    const asked = proofKey(question);
    const key = `${at.revision}|${asked}`;
    const exact = this.entry(key, at);
    let made = exact === undefined ? undefined : await exact.made;
    if (made === undefined || !holds(made, evaluatedAt)) {
      made = this.laterProof(asked, at, evaluatedAt);
    }
    if (made === undefined) {
      const fresh: Entry = {
        schema: at.schema,
        revision: at.revision,
        made: this.evaluate(at, question, evaluatedAt),
      };
      this.made.set(key, fresh);
      // The newest proof of a question is the one later revisions may share.
      const latest = this.made.get(asked);
      if (latest === undefined || latest.revision <= at.revision) this.made.set(asked, fresh);
      fresh.made.then(
        (done) => {
          fresh.done = done;
        },
        () => {
          // A failed evaluation is not kept: the next answer tries again.
          for (const k of [key, asked]) if (this.made.get(k) === fresh) this.made.delete(k);
        },
      );
      made = await fresh.made;
    }
    if (made.result !== answer.result) {
      return {
        unavailable: `evaluated again at its revision, the answer was ${made.result}, not ${answer.result}`,
      };
    }
    return made.proof;
  }

  /** entry is the entry of key when it was made under at's schema. */
  private entry(key: string, at: ReadPoint): Entry | undefined {
    const entry = this.made.get(key);
    return entry?.schema === at.schema ? entry : undefined;
  }

  /**
   * laterProof is the newest proof made of question (asked) at an earlier revision than at's,
   * when it proves answers at that revision as of evaluatedAt: it holds then, and none of the
   * sets it read changed since it was made (which the tracker can tell only up to the revision
   * it applied).
   */
  private laterProof(asked: string, at: ReadPoint, evaluatedAt: number): MadeProof | undefined {
    const latest = this.entry(asked, at);
    const made = latest?.done;
    return made !== undefined &&
      made.reads !== undefined &&
      latest!.revision < at.revision &&
      at.revision <= this.tracker.appliedRevision &&
      holds(made, evaluatedAt) &&
      this.tracker.unchangedSince(made.reads, latest!.revision, made.evaluatedAt)
      ? made
      : undefined;
  }

  private async evaluate(
    at: ReadPoint,
    question: CheckRequest,
    evaluatedAt: number,
  ): Promise<MadeProof> {
    const reader = this.store.snapshot(at.revision, new Date(evaluatedAt));
    const explained = { ...question, explain: true };
    const result = await at.schema.fresh.checks.check(reader, explained);
    return {
      result: result.result,
      proof: await this.links.link(at.revision, checkProof(explained, result)),
      reads: result.reads,
      evaluatedAt,
      validUntil: result.validUntil,
    };
  }
}

/** holds says whether a proof made as of one time proves answers given at `at` (epoch ms). */
function holds(made: MadeProof, at: number): boolean {
  return made.evaluatedAt <= at && at < made.validUntil;
}

function proofKey(question: CheckRequest): string {
  const actors = question.actors?.map(formatSubjectRef).join(",") ?? "";
  const asked = `${formatObjectRef(question.resource)}#${question.permission}`;
  return `${asked}${questionKey(question.subject, question.context)}|${actors}`;
}
