// The words a schema cannot use as names: SpiceDB's parser reads them as keywords wherever a name
// is expected, so a schema naming anything with one would not load there.

const SCHEMA_KEYWORDS: ReadonlySet<string> = new Set([
  "definition",
  "caveat",
  "relation",
  "permission",
  "nil",
  "with",
]);

/** isSchemaKeyword says whether word is a keyword of the schema language (`nil`, `relation`, ...). */
export function isSchemaKeyword(word: string): boolean {
  return SCHEMA_KEYWORDS.has(word);
}
