// A response shared by many calls with one call's own decision id: encoded as the shared bytes and the id's field.

import { create, fromBinary, toBinary, toJson } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { encodeOnce } from "../../src/api/grpc-adapter.js";
import { withOwnString } from "../../src/api/shared-response.js";
import { CheckResponseSchema, CheckResult } from "../../src/gen/latch/v1/permission_service_pb.js";

const encode = (message: unknown) => Buffer.from(toBinary(CheckResponseSchema, message as never));

describe("a shared response with a call's own string field", () => {
  const sharedAnswer = () =>
    Object.freeze(
      create(CheckResponseSchema, {
        result: CheckResult.ALLOWED,
        checkedAt: "lt1_abcdefghijklmnop",
        servedFromCache: true,
      }),
    );
  const shared = sharedAnswer();
  const field = CheckResponseSchema.field.decisionId;

  it("decodes as the whole message encoded with that field set, whatever the value's length", () => {
    const values = [
      "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
      "",
      "x",
      "é".repeat(200),
      "y".repeat(20_000),
    ];
    for (const value of values) {
      const message = withOwnString(shared, field, value);
      const bytes = encodeOnce(message, encode);
      const expected = create(CheckResponseSchema, { ...shared, decisionId: value });
      expect(fromBinary(CheckResponseSchema, bytes)).toEqual(expected);
      // Every other reader sees a message with the field set, and nothing more.
      expect(message.decisionId).toBe(value);
      expect(toJson(CheckResponseSchema, message)).toEqual(toJson(CheckResponseSchema, expected));
    }
  });

  it("encodes the shared part once, however many calls answer with it", () => {
    let encoded = 0;
    const counting = (message: unknown) => {
      encoded++;
      return encode(message);
    };
    const answer = sharedAnswer();
    for (let i = 0; i < 5; i++) encodeOnce(withOwnString(answer, field, `id-${i}`), counting);
    expect(encoded).toBe(1);
  });
});
