// A Zipf choice over ranks: rank r (from 0) is drawn with weight 1 / (r + 1)^s, so a few checks
// are asked very often and most rarely, as real traffic does.

/** ZIPF_EXPONENT is s: 1.1, a skew typical of request traffic. */
export const ZIPF_EXPONENT = 1.1;

/** zipfPicker returns a function drawing ranks below n (cumulative weights, binary search). */
export function zipfPicker(n: number, s = ZIPF_EXPONENT): () => number {
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let r = 0; r < n; r++) {
    total += 1 / (r + 1) ** s;
    cumulative[r] = total;
  }
  return () => {
    const x = Math.random() * total;
    let low = 0;
    let high = n - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((cumulative[mid] ?? 0) < x) low = mid + 1;
      else high = mid;
    }
    return low;
  };
}
