// Server benchmark checks, encoded once: a small hot set that repeats, and distinct cold ones.

import { create, toBinary } from "@bufbuild/protobuf";
import { CheckRequestSchema } from "../../src/gen/latch/v1/permission_service_pb.js";
import { seededRandom } from "./engine-dataset.js";
import { frameMessage } from "./server-bench-client.js";

/** HOT_CHECKS is the size of the hot working set, repeated throughout its phase. */
export const HOT_CHECKS = 100;
/** COLD_CHECKS is how many distinct cold checks there are; the cold phase asks each one once. */
export const COLD_CHECKS = 100_000;
/** WARM_UP_CHECKS is the warm-up's own checks, shared with neither measured set. */
const WARM_UP_CHECKS = 20_000;

/** CheckSets are CheckRequest messages, encoded and framed; no (document, user) pair repeats. */
export interface CheckSets {
  readonly hot: readonly Buffer[];
  readonly cold: readonly Buffer[];
  readonly warmUp: readonly Buffer[];
}

/**
 * makeCheckSets draws `document:dN#view@user:uM` checks over the engine benchmark's documents and
 * users, from a fixed seed, so every run asks the same questions.
 */
export function makeCheckSets(documents: number, users: number): CheckSets {
  const random = seededRandom(7);
  const seen = new Set<string>();
  const draw = (count: number): Buffer[] => {
    const encoded: Buffer[] = [];
    while (encoded.length < count) {
      const document = `d${Math.floor(random() * documents)}`;
      const user = `u${Math.floor(random() * users)}`;
      const key = `${document}@${user}`;
      if (seen.has(key)) continue;
      seen.add(key);
      encoded.push(encodeCheck(document, user));
    }
    return encoded;
  };
  return { hot: draw(HOT_CHECKS), warmUp: draw(WARM_UP_CHECKS), cold: draw(COLD_CHECKS) };
}

function encodeCheck(document: string, user: string): Buffer {
  return frameMessage(
    toBinary(
      CheckRequestSchema,
      create(CheckRequestSchema, {
        resource: { type: "document", id: document },
        permission: "view",
        subject: { object: { type: "user", id: user } },
      }),
    ),
  );
}
