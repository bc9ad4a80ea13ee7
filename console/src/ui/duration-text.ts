// A duration in words a person reads at a glance: `2 h`, `30 min`, `1 d 4 h`.

import type { Duration } from "@bufbuild/protobuf/wkt";

/** durationText is a duration message (unset: zero) in words: {@link secondsText}. */
export function durationText(duration: Duration | undefined): string {
  return secondsText(Number(duration?.seconds ?? 0n));
}

/** secondsText is a number of seconds in days, hours, minutes and seconds, largest parts first. */
export function secondsText(total: number): string {
  let seconds = total;
  const parts: string[] = [];
  for (const [unit, size] of [
    ["d", 86_400],
    ["h", 3_600],
    ["min", 60],
    ["s", 1],
  ] as const) {
    const count = Math.floor(seconds / size);
    if (count > 0) parts.push(`${count} ${unit}`);
    seconds -= count * size;
  }
  return parts.length === 0 ? "0 s" : parts.join(" ");
}
