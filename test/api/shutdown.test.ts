// A server that shuts down ends its open Watch streams with UNAVAILABLE, on both ports, so that
// clients resume them (from their last token) elsewhere or after the restart.

import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { describe, expect, it } from "vitest";
import {
  RelationshipService,
  RelationshipUpdate_Operation,
} from "../../src/gen/latch/v1/relationship_service_pb.js";
import { SchemaService } from "../../src/gen/latch/v1/schema_service_pb.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import { startTestServer } from "./api-harness.js";
import { TEST_SCHEMA } from "./api-schema.js";

describe("shutdown", () => {
  it("ends open Watch streams with UNAVAILABLE over gRPC and Connect", async () => {
    const store = createMemoryStore();
    const server = await startTestServer(store);
    try {
      const grpcTransport = createGrpcTransport({ baseUrl: `http://127.0.0.1:${server.grpcPort}` });
      const connectTransport = createConnectTransport({
        baseUrl: `http://127.0.0.1:${server.httpPort}`,
        httpVersion: "1.1",
      });
      await createClient(SchemaService, grpcTransport).writeSchema({ schema: TEST_SCHEMA });
      const watchers = [grpcTransport, connectTransport].map((transport) => {
        let received = 0;
        const ended = (async () => {
          try {
            for await (const _ of createClient(RelationshipService, transport).watch({})) {
              received++;
            }
            return "ended with OK";
          } catch (error) {
            return ConnectError.from(error);
          }
        })();
        return { ended, received: () => received };
      });
      // A change each stream has received shows that both are open.
      const relationships = createClient(RelationshipService, grpcTransport);
      const deadline = Date.now() + 20_000;
      // A new subject each time: a touch of what is stored already is no change.
      let written = 0;
      while (watchers.some((watcher) => watcher.received() === 0)) {
        if (Date.now() > deadline) throw new Error("the Watch streams never received a change");
        await relationships.writeRelationships({
          updates: [
            {
              operation: RelationshipUpdate_Operation.TOUCH,
              relationship: {
                resource: { type: "document", id: "plan" },
                relation: "viewer",
                subject: { object: { type: "user", id: `ann${written++}` } },
              },
            },
          ],
        });
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await server.close(5000);
      for (const watcher of watchers) {
        const ended = await watcher.ended;
        expect(ended).toBeInstanceOf(ConnectError);
        expect((ended as ConnectError).code).toBe(Code.Unavailable);
        expect((ended as ConnectError).rawMessage).toBe("the server is shutting down");
      }
    } finally {
      await server.close(1000);
      await store.close();
    }
  });
});
