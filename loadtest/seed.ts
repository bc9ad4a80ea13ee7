// Seeds Latch for the other load scripts: writes the example schema (schema/agent.zed, the one
// `latch serve` starts with), then imports the dataset through ImportRelationships, in batches on
// one stream. Run it once per LATCH_DOCUMENTS; running it again imports the same relationships.
//   k6 run loadtest/seed.ts, or npm run loadtest -- loadtest/seed.ts; LATCH_TARGET, LATCH_API_KEY,
//   LATCH_DOCUMENTS (default 10000)

import { check, fail } from "k6";
import { type GrpcError, StatusOK, Stream } from "k6/net/grpc";
import { documentsFromEnv, generateDataset, sizesFor } from "./dataset.ts";
import { connect, params } from "./latch.ts";

/** Relationships per ImportRelationships message: well under the 4 MiB message limit. */
const BATCH = 1000;

export const options = { thresholds: { checks: ["rate==1"] } };

const schema = open("../schema/agent.zed");

export default async function (): Promise<void> {
  const client = connect();
  const written = await client.asyncInvoke(
    "latch.v1.SchemaService/WriteSchema",
    { schema },
    params(),
  );
  check(written, { "the schema is written": (r) => r.status === StatusOK });
  const { relationships } = generateDataset(sizesFor(documentsFromEnv(__ENV)));
  const stream = new Stream(client, "latch.v1.RelationshipService/ImportRelationships", params());
  stream.on("data", (response) => {
    const imported = Number((response as { importedCount?: string }).importedCount);
    check(imported, { "every relationship is imported": (n) => n === relationships.length });
    client.close();
  });
  stream.on("error", (error) => {
    client.close();
    fail(`ImportRelationships failed: ${(error as GrpcError).message}`);
  });
  for (let at = 0; at < relationships.length; at += BATCH) {
    stream.write({ relationships: relationships.slice(at, at + BATCH) });
  }
  stream.end();
}
