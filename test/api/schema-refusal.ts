// Test helper: a schema write refused because stored relationships would not fit, with its message.

import { expect } from "vitest";
import { SchemaConflictError } from "../../src/api/api-error.js";

/** REFUSAL_HEADING is the first line of every refused schema write's message. */
export const REFUSAL_HEADING =
  "the schema does not allow relationships the store holds; delete them first, or keep allowing them:";

/** expectSchemaRefusal awaits write's rejection with a SchemaConflictError saying exactly the heading and lines. */
export async function expectSchemaRefusal(
  write: Promise<unknown>,
  ...lines: string[]
): Promise<void> {
  const error = await write.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(SchemaConflictError);
  expect((error as SchemaConflictError).message).toBe([REFUSAL_HEADING, ...lines].join("\n"));
}
