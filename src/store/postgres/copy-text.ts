// COPY's text format: rows written so that `COPY … FROM` reads back exactly the values given.

/** COPY_NULL is how COPY's text format writes NULL. */
export const COPY_NULL = "\\N";

const SPECIAL = /[\\\t\n\r]/;
const SPECIALS = /[\\\t\n\r]/g;
const ESCAPES: Readonly<Record<string, string>> = {
  "\\": "\\\\",
  "\t": "\\t",
  "\n": "\\n",
  "\r": "\\r",
};

/**
 * copyField writes value as a column of COPY's text format: NULL as {@link COPY_NULL}; in a
 * string, backslash, tab, newline and carriage return as `\\`, `\t`, `\n` and `\r` (the
 * characters COPY would take for an escape, a column end or a row end), and every other
 * character as itself, so a field can never end the data (`\.`) or spell NULL. The text must not
 * hold NUL, which Postgres text cannot store.
 */
export function copyField(value: string | null): string {
  if (value === null) return COPY_NULL;
  // Most values have nothing to escape; testing first skips building a new string for them.
  return SPECIAL.test(value) ? value.replace(SPECIALS, (c) => ESCAPES[c]!) : value;
}

/** copyRow writes values as one row of COPY's text format: fields separated by tabs, then a newline. */
export function copyRow(values: readonly (string | null)[]): string {
  // A loop, not map and join: an import writes a row per relationship, and arrays cost garbage.
  let row = "";
  for (let i = 0; i < values.length; i++) {
    row += i === 0 ? copyField(values[i]!) : `\t${copyField(values[i]!)}`;
  }
  return `${row}\n`;
}

/**
 * COPY_CHUNK_CHARS bounds a chunk of COPY data: well under V8's large-object size, so that a batch
 * of rows is many young strings that die young, not one that only a full collection frees (on a
 * server whose heap holds a large cache, that costs more than writing the rows).
 */
const COPY_CHUNK_CHARS = 64 * 1024;

/** CopyChunks gathers COPY rows into chunks of at most about COPY_CHUNK_CHARS characters each. */
export class CopyChunks {
  readonly chunks: string[] = [];
  private current = "";

  /** add appends a row (see copyRow). */
  add(row: string): void {
    if (this.current.length > 0 && this.current.length + row.length > COPY_CHUNK_CHARS) {
      this.chunks.push(this.current);
      this.current = "";
    }
    this.current += row;
  }

  /** done returns every chunk, the last one too. */
  done(): readonly string[] {
    if (this.current.length > 0) this.chunks.push(this.current);
    this.current = "";
    return this.chunks;
  }
}
