// Decisions read off a tape of random numbers, so that generators with dependent choices shrink well.

/**
 * Chooser makes each decision from the next number on its tape. A number shrunk toward 0 picks an
 * earlier option, so callers list the simplest option first; past the tape's end every number is 0.
 */
export interface Chooser {
  /** below returns a number in [0, n). */
  below(n: number): number;
  /** between returns an integer in [min, max]. */
  between(min: number, max: number): number;
  /** bool returns false on a shrunk tape. */
  bool(): boolean;
  /** pick returns one of values, which must not be empty. */
  pick<T>(values: readonly T[]): T;
  /** subset returns between min and max distinct values, in the order drawn. */
  subset<T>(values: readonly T[], min: number, max: number): T[];
  /** weighted runs one of the options, chosen with probability proportional to its weight. */
  weighted<T>(...options: readonly (readonly [number, () => T])[]): T;
}

/** createChooser reads decisions from tape, from its start. */
export function createChooser(tape: readonly number[]): Chooser {
  let position = 0;
  const below = (n: number): number => (n <= 1 ? 0 : (tape[position++] ?? 0) % n);
  const between = (min: number, max: number): number => min + below(max - min + 1);
  return {
    below,
    between,
    bool: () => below(2) === 1,
    pick: (values) => {
      if (values.length === 0) throw new Error("Chooser.pick: no values");
      return values[below(values.length)]!;
    },
    subset: (values, min, max) => {
      const remaining = [...values];
      const count = between(min, Math.min(max, values.length));
      return Array.from({ length: count }, () => remaining.splice(below(remaining.length), 1)[0]!);
    },
    weighted: (...options) => {
      let roll = below(options.reduce((sum, [weight]) => sum + weight, 0));
      for (const [weight, make] of options) {
        if (roll < weight) return make();
        roll -= weight;
      }
      throw new Error("Chooser.weighted: no options");
    },
  };
}
