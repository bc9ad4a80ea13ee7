// A Map whose keys can be listed in relationship-key order, re-sorted only after a key is added.

/**
 * OrderedMap maps the parts of relationship keys (types, ids or relations) to their entries and
 * lists them in the order the full keys sort in. A part is followed in a key by `terminator` (':'
 * after a type, '#' after an id, '@' after a relation), which sorts below some name characters,
 * so `doc1` must come before `doc` when the terminator is ':'.
 */
export class OrderedMap<V> {
  private readonly entries = new Map<string, V>();
  private order: readonly string[] | undefined = [];

  constructor(private readonly terminator: string) {}

  /** get returns the entry for part, if any. */
  get(part: string): V | undefined {
    return this.entries.get(part);
  }

  /** ensure returns the entry for part, made by make when it is new. */
  ensure(part: string, make: () => V): V {
    let entry = this.entries.get(part);
    if (entry === undefined) {
      entry = make();
      this.entries.set(part, entry);
      this.order = undefined;
    }
    return entry;
  }

  /** parts lists the parts in key order. */
  parts(): readonly string[] {
    this.order ??= sortParts([...this.entries.keys()], this.terminator);
    return this.order;
  }
}

/** Sorts parts in place by `part + terminator`, the order that keys containing them take. */
function sortParts(parts: string[], terminator: string): string[] {
  return parts.sort((a, b) => {
    const x = a + terminator;
    const y = b + terminator;
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/**
 * firstAfter is the first index of sorted parts whose keys, each starting with `prefix(part)`, can
 * sort after `after`: the parts whose prefix sorts after it, and the one whose prefix starts it.
 */
export function firstAfter(
  parts: readonly string[],
  prefix: (part: string) => string,
  after: string,
): number {
  let low = 0;
  let high = parts.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (prefix(parts[middle]!) <= after) low = middle + 1;
    else high = middle;
  }
  // Parts hold no terminators, so at most one prefix starts `after`: the last one not above it.
  if (low > 0 && after.startsWith(prefix(parts[low - 1]!))) low--;
  return low;
}
