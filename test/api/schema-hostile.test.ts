// Hostile schemas over the API: huge unions checked off the event loop while Checks answer, and
// nesting past the limit refused with its line and column.

import { status } from "@grpc/grpc-js";
import { beforeAll, describe, expect, it } from "vitest";
import {
  expectStatus,
  ref,
  relationship,
  subject,
  unary,
  useTestServer,
  writeTestData,
} from "./api-harness.js";

const test = useTestServer();

const DEPTH_MESSAGE =
  "the expression nests more than 100 levels deep (parentheses, and operators applied to other operators' results); split it into several permissions";

/** HEAD opens a definition; a permission written after it is on line 5. */
const HEAD = "definition user {}\ndefinition doc {\n\trelation aaa: user\n\trelation bbb: user\n";

function permission(expression: string): string {
  return `${HEAD}\tpermission view = ${expression}\n}\n`;
}

function chain(count: number, operator: string): string {
  return Array.from({ length: count }, (_, i) => (i % 2 === 0 ? "aaa" : "bbb")).join(operator);
}

beforeAll(async () => {
  await writeTestData(test().clients, [relationship("document:plan", "owner", "user:olga")]);
});

const check = async () =>
  (
    await unary(test().clients.permissions, "Check", {
      resource: ref("document", "plan"),
      permission: "edit",
      subject: subject("user", "olga"),
    })
  ).result;

describe("ValidateSchema with huge unions", () => {
  it("answers a Check sent during the validation first: the validation does not hold the event loop", async () => {
    const { clients } = test();
    // Start the check worker and warm the engine, so that neither counts below.
    await unary(clients.schema, "ValidateSchema", { schema: "definition user {}" });
    expect(await check()).toBe("CHECK_RESULT_ALLOWED");
    for (const terms of [20_000, 30_000]) {
      const schema = permission(chain(terms, " + "));
      expect(schema.length).toBeGreaterThan(terms * 6);
      const finished: string[] = [];
      const validated = unary(clients.schema, "ValidateSchema", { schema }).then((response) => {
        finished.push("validate");
        return response;
      });
      const checked = check().then((result) => {
        finished.push("check");
        return result;
      });
      expect(await checked).toBe("CHECK_RESULT_ALLOWED");
      expect((await validated).diagnostics).toEqual([]);
      expect(finished).toEqual(["check", "validate"]);
    }
    // Parsing on the event loop blocked it 10 to 30 s, and the check waited: off it, the check
    // is answered first (an order, not a time limit, which a busy machine would break).
  });
});

describe("schemas nested past the limit", () => {
  it("answers 100,000 nested parentheses with a diagnostic at the 101st", async () => {
    const { clients } = test();
    const schema = permission(`${"(".repeat(100_000)}aaa${")".repeat(100_000)}`);
    const validated = await unary(clients.schema, "ValidateSchema", { schema });
    expect(validated.diagnostics).toEqual([
      {
        message: DEPTH_MESSAGE,
        code: "limit",
        line: 5,
        column: 120,
        endLine: 5,
        endColumn: 121,
      },
    ]);
    await expectStatus(
      unary(clients.schema, "WriteSchema", { schema }),
      status.INVALID_ARGUMENT,
      `schema: the schema has errors:\nschema:5:120: ${DEPTH_MESSAGE}`,
    );
  });

  it("answers a 20,000-term exclusion chain with INVALID_ARGUMENT at its 101st operator", async () => {
    const { clients } = test();
    const schema = permission(chain(20_000, " - "));
    await expectStatus(
      unary(clients.schema, "WriteSchema", { schema }),
      status.INVALID_ARGUMENT,
      `schema: the schema has errors:\nschema:5:624: ${DEPTH_MESSAGE}`,
    );
    const validated = await unary(clients.schema, "ValidateSchema", { schema });
    expect(validated.diagnostics).toEqual([
      expect.objectContaining({ code: "limit", line: 5, column: 624, message: DEPTH_MESSAGE }),
    ]);
    // The schema written before is still the one in force.
    expect(await check()).toBe("CHECK_RESULT_ALLOWED");
  });
});
