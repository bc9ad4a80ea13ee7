// A Zipf distribution over ranks, sampled from a seeded generator, for the server benchmark.

/**
 * createZipfSampler returns a function drawing a rank in [0, n) with probability proportional to
 * 1 / (rank + 1)^s: the cumulative distribution is computed once, each draw is a binary search
 * of one number from random (uniform in [0, 1)).
 */
export function createZipfSampler(n: number, s: number, random: () => number): () => number {
  const cdf = new Float64Array(n);
  let total = 0;
  for (let rank = 0; rank < n; rank++) {
    total += 1 / (rank + 1) ** s;
    cdf[rank] = total;
  }
  return () => {
    const u = random() * total;
    // The first rank whose cumulative weight exceeds u.
    let low = 0;
    let high = n - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (cdf[middle]! > u) high = middle;
      else low = middle + 1;
    }
    return low;
  };
}
