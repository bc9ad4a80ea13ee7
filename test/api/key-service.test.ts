// KeyService.DescribeKey over gRPC and HTTP: a key learns its name and scopes, development mode says so.

import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { hashApiKey } from "../../src/api/api-keys.js";
import { KeyService } from "../../src/gen/latch/v1/key_service_pb.js";
import { useTestServer } from "./api-harness.js";
import { ALL_TRANSPORTS, clientOf, expectRefusal } from "./transports.js";

const READER = "lk_reader-secret";

const bearer = (key: string) => ({ headers: { authorization: `Bearer ${key}` } });

describe("DescribeKey with keys configured", () => {
  const test = useTestServer([
    { name: "reader", sha256: hashApiKey(READER), scopes: ["read", "check"] },
  ]);

  it.each(ALL_TRANSPORTS)("tells a key its name and exactly its scopes over %s", async (name) => {
    const keys = clientOf(test(), name, KeyService);
    const answer = await keys.describeKey({}, bearer(READER));
    expect(answer).toMatchObject({ name: "reader", scopes: ["check", "read"], development: false });
  });

  it.each(ALL_TRANSPORTS)(
    "refuses a call without a key or with an unknown one over %s",
    async (name) => {
      const keys = clientOf(test(), name, KeyService);
      await expectRefusal(
        test(),
        () => keys.describeKey({}),
        Code.Unauthenticated,
        "authorization: Bearer",
      );
      await expectRefusal(
        test(),
        () => keys.describeKey({}, bearer("lk_wrong")),
        Code.Unauthenticated,
        "unknown API key",
      );
    },
  );
});

describe("DescribeKey in development mode", () => {
  const test = useTestServer();

  it.each(ALL_TRANSPORTS)("says every call is allowed over %s", async (name) => {
    const answer = await clientOf(test(), name, KeyService).describeKey({});
    expect(answer).toMatchObject({ name: "", scopes: [], development: true });
  });
});
