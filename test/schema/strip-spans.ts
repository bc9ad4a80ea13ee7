// Test helper: a syntax tree without source positions, to compare trees parsed from different text.

/** stripSpans deep-copies a value, leaving out every `span` and `expressionSource` property. */
export function stripSpans(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripSpans);
  if (value === null || typeof value !== "object") return value;
  const result: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === "span" || key === "expressionSource" || child === undefined) continue;
    result[key] = stripSpans(child);
  }
  return result;
}
