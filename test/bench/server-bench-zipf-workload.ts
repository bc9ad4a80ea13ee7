// The server benchmark's Zipf workload: checks drawn by popularity, with writes to their documents.

import type { Call, CallSet } from "./server-bench-calls.js";
import { encodeWriterUpdate, type ZipfChecks } from "./server-bench-checks.js";
import { createZipfSampler } from "./server-bench-zipf.js";

/** ZIPF_EXPONENT is s: the popularity of the check of rank k is proportional to 1/k^s. */
export const ZIPF_EXPONENT = 1.1;
/** ZIPF_WRITES is the share of the workload's calls that are writes. */
export const ZIPF_WRITES = 0.01;

/** ZipfWorkload is one stream of calls across the phases that use it, and its warm-up. */
export interface ZipfWorkload {
  /**
   * stream: each call is a write with probability ZIPF_WRITES, else the check of a rank drawn by
   * Zipf. A write goes to the document of a check drawn the same way (popular documents are
   * written to as often as they are read) and alternately adds and removes the benchmark's writer
   * as its viewer, so it invalidates every cached check on that document.
   */
  readonly stream: CallSet;
  /**
   * warmUp asks every check not cacheable yet once, in an order shuffled from random (neither the
   * popular checks first, which a least-recently-used cache would then evict first, nor last);
   * no writes.
   */
  readonly warmUp: CallSet;
}

/** createZipfWorkload draws from random (seeded), and says which checks an exact cache could serve. */
export function createZipfWorkload(
  checks: ZipfChecks,
  path: { readonly check: string; readonly write: string },
  random: () => number,
): ZipfWorkload {
  const count = checks.checks.length;
  const rank = createZipfSampler(count, ZIPF_EXPONENT, random);
  const ranksOf = new Map<string, number[]>();
  checks.documents.forEach((document, r) => {
    const ranks = ranksOf.get(document);
    if (ranks === undefined) ranksOf.set(document, [r]);
    else ranks.push(r);
  });
  // Checks asked with no write to their document since.
  const cacheable = new Uint8Array(count);
  const writerIsViewer = new Set<string>();
  const ask = (r: number): Call => {
    const call = {
      path: path.check,
      request: checks.checks[r]!,
      check: true,
      cacheable: cacheable[r] === 1,
    };
    cacheable[r] = 1;
    return call;
  };
  const warmUpOrder = shuffled(count, random);
  let warmedUpTo = 0;
  return {
    stream: () => {
      if (random() >= ZIPF_WRITES) return ask(rank());
      const document = checks.documents[rank()]!;
      for (const r of ranksOf.get(document)!) cacheable[r] = 0;
      const add = !writerIsViewer.delete(document);
      if (add) writerIsViewer.add(document);
      return { path: path.write, request: encodeWriterUpdate(document, add), check: false };
    },
    warmUp: () => {
      while (warmedUpTo < count && cacheable[warmUpOrder[warmedUpTo]!] === 1) warmedUpTo++;
      return warmedUpTo < count ? ask(warmUpOrder[warmedUpTo]!) : undefined;
    },
  };
}

/** shuffled is 0 .. count - 1 in a random order (Fisher-Yates). */
function shuffled(count: number, random: () => number): Uint32Array {
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}
