// The data of the server-time cache tests: a folder granted in business hours by the server's clock.

import type { Revision } from "../../src/revision/revision.js";
import type { CompiledSchema } from "../../src/schema/compiled-schema.js";
import { loadSchema } from "../../src/schema/load-schema.js";
import type { Store } from "../../src/store/store.js";
import { touch } from "../store/store-test-helpers.js";

const SCHEMA = `definition user {}
definition folder {
	relation viewer: user with business_hours
	permission view = viewer
}
definition document {
	relation parent: folder
	relation viewer: user
	permission view = viewer + parent->view
}
caveat business_hours(now timestamp) {
	now.getHours() >= 9 && now.getHours() < 17
}`;

/** serverTimeSchema compiles the schema: business hours on folders, documents in folders. */
export function serverTimeSchema(): CompiledSchema {
  const loaded = loadSchema(SCHEMA);
  if (!loaded.ok) throw new Error(loaded.diagnostics[0]?.message);
  return loaded.schema;
}

/** writeBusinessHoursGrant gives alice folder eng in business hours; document plan is in it. */
export async function writeBusinessHoursGrant(store: Store): Promise<Revision> {
  const { revision } = await store.write([
    touch("document:plan#parent@folder:eng"),
    touch("folder:eng#viewer@user:alice[business_hours]"),
  ]);
  return revision;
}

/** at is a time of 2025-06-02 (a Monday) in epoch ms: `at("16:59:59.200")`. */
export const at = (time: string): number => Date.parse(`2025-06-02T${time}Z`);
