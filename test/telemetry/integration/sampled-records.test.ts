// `latch serve` sampling every call (always_on) that comes without a traceparent: the records of a
// CheckBulk's items and of a lookup carry the trace the server began for the call, though they
// are made after the call's awaits (where the active context is no longer the call's).

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient, type Transport } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decisionRecord } from "../../../src/cli/decision-text.js";
import { DecisionService } from "../../../src/gen/latch/v1/decision_service_pb.js";
import { CheckResult, PermissionService } from "../../../src/gen/latch/v1/permission_service_pb.js";
import {
  RelationshipService,
  RelationshipUpdate_Operation,
} from "../../../src/gen/latch/v1/relationship_service_pb.js";
import { SchemaService } from "../../../src/gen/latch/v1/schema_service_pb.js";
import { type ServedLatch, serveLatch, servingPorts } from "../../support/latch-serve.js";
import { type OtlpReceiver, startOtlpReceiver } from "../../support/otlp-receiver.js";
import { waitFor } from "../../support/wait-for.js";

const SCHEMA = `
definition user {}

definition document {
  relation viewer: user
  permission view = viewer
}
`;

describe("latch serve sampling the calls it receives", () => {
  let receiver: OtlpReceiver;
  let served: ServedLatch | undefined;
  let dataDir: string;
  let transport: Transport;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    dataDir = await mkdtemp(join(tmpdir(), "latch-sampled-"));
    served = serveLatch({
      LATCH_DATA_DIR: dataDir,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_TRACES_SAMPLER: "always_on",
      OTEL_BSP_SCHEDULE_DELAY: "50",
    });
    const ports = await servingPorts(served);
    transport = createGrpcTransport({ baseUrl: `http://127.0.0.1:${ports.grpcPort}` });
    await createClient(SchemaService, transport).writeSchema({ schema: SCHEMA });
    const { writtenAt } = await createClient(RelationshipService, transport).writeRelationships({
      updates: [
        {
          operation: RelationshipUpdate_Operation.TOUCH,
          relationship: {
            resource: { type: "document", id: "plan" },
            relation: "viewer",
            subject: { object: { type: "user", id: "alice" } },
          },
        },
      ],
    });
    // Read at the write's token below, so that the answers see it.
    consistency = { requirement: { case: "atLeastAsFresh", value: writtenAt } } as const;
  }, 120_000);
  let consistency: { requirement: { case: "atLeastAsFresh"; value: string } };

  afterAll(async () => {
    served?.process.kill("SIGTERM");
    await served?.exited;
    await receiver?.close();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  /** serverTrace is the trace id of the server span the receiver got for a method, once it has it. */
  const serverTrace = async (method: string) => {
    const span = () =>
      receiver.spans.find((s) => s.name === `latch.v1.PermissionService/${method}`);
    await waitFor(`the ${method} server span`, () => span() !== undefined, 30_000);
    return span()!.traceId;
  };
  const recordOf = async (decisionId: string) => {
    const decisions = createClient(DecisionService, transport);
    return decisionRecord((await decisions.getDecision({ decisionId })).decision!);
  };

  it("records each CheckBulk item and a lookup with the call's trace id", async () => {
    const permissions = createClient(PermissionService, transport);
    const item = (who: string) => ({
      resource: { type: "document", id: "plan" },
      permission: "view",
      subject: { object: { type: "user", id: who } },
    });
    const bulk = await permissions.checkBulk({ consistency, items: [item("alice"), item("bob")] });
    const answers = bulk.pairs.map((pair) =>
      pair.response.case === "item" ? pair.response.value : undefined,
    );
    expect(answers.map((a) => a?.result)).toEqual([CheckResult.ALLOWED, CheckResult.DENIED]);
    const bulkTrace = await serverTrace("CheckBulk");
    for (const answer of answers) {
      expect((await recordOf(answer!.decisionId)).traceId).toBe(bulkTrace);
    }

    let lookupDecision = "";
    for await (const found of permissions.lookupResources({
      consistency,
      resourceType: "document",
      permission: "view",
      subject: { object: { type: "user", id: "alice" } },
    })) {
      expect(found.resourceId).toBe("plan");
      lookupDecision = found.decisionId;
    }
    const lookupTrace = await serverTrace("LookupResources");
    expect((await recordOf(lookupDecision)).traceId).toBe(lookupTrace);
  });
});
