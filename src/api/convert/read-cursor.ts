// Cursors of relationship reads and exports from API messages: only what Latch itself returns.

import { parseRelationship } from "../../tuple/parse-relationship.js";
import { relationshipKey } from "../../tuple/relationship-key.js";
import { RequestError } from "../request-error.js";

/**
 * readRelationshipCursor returns the cursor at field (undefined when empty), which must be an
 * `after_cursor` Latch returned: the key of a relationship, `type:id#relation@type:id[#relation]`,
 * so no longer than the longest valid key. Anything else is refused with the reason.
 */
export function readRelationshipCursor(field: string, cursor: string): string | undefined {
  if (cursor === "") return undefined;
  const parsed = parseRelationship(cursor);
  const problem = !parsed.ok
    ? parsed.error.message
    : relationshipKey(parsed.value) !== cursor
      ? "it holds more than a relationship's key"
      : undefined;
  if (problem === undefined) return cursor;
  throw new RequestError(
    field,
    `${field}: not a cursor Latch returned (an after_cursor is a relationship's key): ${problem}`,
  );
}
