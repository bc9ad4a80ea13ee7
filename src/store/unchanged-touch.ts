// Whether a touch would store exactly what is stored: then it is no change, as in SpiceDB's Watch.

import { canonicalJson } from "../tuple/canonical-json.js";
import type { Relationship } from "../tuple/relationship.js";

/**
 * touchChangesNothing says whether touching `written` over `stored`, the live relationship of the
 * same key, would store what is there: the same caveat, context and expiry. Such a touch makes no
 * new version and no change event, so that Watch sends nothing for it (as SpiceDB's does) and no
 * cached answer that read the relationship is dropped for it. The Postgres stores compare the
 * same in SQL (see updateEffects).
 */
export function touchChangesNothing(stored: Relationship, written: Relationship): boolean {
  const context = (r: Relationship) =>
    r.caveat?.context === undefined ? undefined : canonicalJson(r.caveat.context);
  return (
    stored.caveat?.name === written.caveat?.name &&
    context(stored) === context(written) &&
    stored.expiresAt?.getTime() === written.expiresAt?.getTime()
  );
}
