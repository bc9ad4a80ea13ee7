import type * as grpc from "@grpc/grpc-js";
import { Metadata } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { CallContext, LiveCalls } from "../../src/api/grpc-call-context.js";
import { PermissionService } from "../../src/gen/latch/v1/permission_service_pb.js";

/** contextOfCall is a CallContext of a unary Check call with no deadline, as grpc-js gives one. */
function contextOfCall(): CallContext {
  const call = { getDeadline: () => Number.POSITIVE_INFINITY, metadata: new Metadata() };
  return new CallContext(
    PermissionService,
    PermissionService.method.check,
    call as unknown as grpc.ServerUnaryCall<unknown, unknown>,
    new LiveCalls(),
  );
}

/** sent is what grpc-js sends of trailer metadata: the HTTP/2 headers of its copy. */
function sent(trailers: grpc.Metadata | undefined): Record<string, unknown> {
  return { ...trailers?.clone().toHttp2Headers() };
}

describe("CallContext trailers", () => {
  it("sends no trailer when the handler set none", () => {
    expect(contextOfCall().trailers()).toBeUndefined();
  });

  it("sends the one trailer set, and the last value set of it", () => {
    const context = contextOfCall();
    context.setTrailer("latch-decision-id", "first");
    expect(sent(context.trailers())).toEqual({ "latch-decision-id": "first" });
    context.setTrailer("latch-decision-id", "second");
    expect(sent(context.trailers())).toEqual({ "latch-decision-id": "second" });
  });

  it("sends every trailer set under other names, and those set as Headers", () => {
    const context = contextOfCall();
    context.setTrailer("latch-decision-id", "id");
    context.responseTrailer.set("x-other", "value");
    expect(sent(context.trailers())).toEqual({ "latch-decision-id": "id", "x-other": "value" });
    context.setTrailer("x-third", "three");
    expect(sent(context.trailers())).toEqual({
      "latch-decision-id": "id",
      "x-other": "value",
      "x-third": "three",
    });
  });
});
