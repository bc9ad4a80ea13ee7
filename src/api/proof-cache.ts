// Proofs for the decision log, made off the request path and shared by the answers they prove.

import { LRUCache } from "lru-cache";
import { checkProof, type DecisionProof } from "../decisions/decision-proof.js";
import { questionKey } from "../dispatch/request-key.js";
import type { CheckRequest, CheckResult } from "../engine/check-engine.js";
import type { OutcomeKind } from "../engine/outcome.js";
import type { Store } from "../store/store.js";
import { formatObjectRef, formatSubjectRef } from "../tuple/format-relationship.js";
import type { AccessGrantLinks } from "./access-grant-links.js";
import type { ReadPoint } from "./api-context.js";

/** PROOF_CACHE_ENTRIES bounds how many proofs are kept for answers still to come. */
const PROOF_CACHE_ENTRIES = 10_000;

/** A proof made by evaluating a question again, with what it proves and for how long. */
interface MadeProof {
  readonly result: OutcomeKind;
  readonly proof: DecisionProof;
  /** The time (epoch ms) it was evaluated as of, and until when its answer held. */
  readonly evaluatedAt: number;
  readonly validUntil: number;
}

interface Entry {
  readonly schema: ReadPoint["schema"];
  readonly made: Promise<MadeProof>;
  /** The proof once made. */
  done?: MadeProof;
}

/**
 * ProofCache makes the proof of a check that was answered without an explanation (most are: from
 * the cache, or evaluated without `explain`): the same question, evaluated again with `explain`
 * at the same revision and time, by the engines without a cache. Answers to one question at one
 * revision share a proof while it holds (until the earliest expiry or caveat time it rests on),
 * so a hot check costs one evaluation per revision, not one per answer. A proof whose answer is
 * not the one given says so instead of proving it. Its grants name their access requests.
 */
export class ProofCache {
  private readonly made = new LRUCache<string, Entry>({ max: PROOF_CACHE_ENTRIES });

  constructor(
    private readonly store: Store,
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
    const entry = this.made.get(proofKey(at, question));
    const made = entry?.schema === at.schema ? entry.done : undefined;
    return made !== undefined && holds(made, evaluatedAt) && made.result === answer.result
      ? made.proof
      : undefined;
  }

  /** prove is the proof of `answer`, given to question at read point `at` as of evaluatedAt (epoch ms). */
  async prove(
    at: ReadPoint,
    question: CheckRequest,
    answer: CheckResult,
    evaluatedAt: number,
  ): Promise<DecisionProof> {
    const key = proofKey(at, question);
    const entry = this.made.get(key);
    let made = entry?.schema === at.schema ? await entry.made : undefined;
    if (made === undefined || !holds(made, evaluatedAt)) {
      const fresh: Entry = { schema: at.schema, made: this.evaluate(at, question, evaluatedAt) };
      this.made.set(key, fresh);
      fresh.made.then(
        (done) => {
          fresh.done = done;
        },
        () => {
          // A failed evaluation is not kept: the next answer tries again.
          if (this.made.get(key) === fresh) this.made.delete(key);
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
      evaluatedAt,
      validUntil: result.validUntil,
    };
  }
}

/** holds says whether a proof made as of one time proves answers given at `at` (epoch ms). */
function holds(made: MadeProof, at: number): boolean {
  return made.evaluatedAt <= at && at < made.validUntil;
}

function proofKey(at: ReadPoint, question: CheckRequest): string {
  const actors = question.actors?.map(formatSubjectRef).join(",") ?? "";
  const asked = `${formatObjectRef(question.resource)}#${question.permission}`;
  return `${at.revision}|${asked}${questionKey(question.subject, question.context ?? {})}|${actors}`;
}
