// Calls that make decisions, driven at a served Latch without pause by concurrent callers, keeping
// the decision id of every answer received whole: plain and on-behalf-of checks, cached
// (minimize_latency) and not (fully_consistent), CheckBulk items and LookupResources calls.

import { type Client, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { DECISION_ID_HEADER } from "../../../src/api/decision-recorder.js";
import { PermissionService } from "../../../src/gen/latch/v1/permission_service_pb.js";
import { runLatch } from "../../cli/run-cli-helper.js";

/** How many documents the calls ask about: few enough that minimize_latency answers repeat. */
const DOCUMENTS = 40;
/** Longer than any call should take, so that a server that stops answering fails the call. */
const CALL_TIMEOUT_MS = 30_000;

const LOAD_SCHEMA = `definition user {}

definition agent {
  relation owner: user
  permission act_for = owner
}

definition document {
  relation viewer: user | agent
  permission view = viewer
}
`;

/** Alice owns agent:bot; she views the even documents, the bot every third: allowed and denied. */
const LOAD_RELATIONSHIPS = [
  "agent:bot#owner@user:alice",
  ...Array.from({ length: DOCUMENTS }, (_, i) => [
    ...(i % 2 === 0 ? [`document:d${i}#viewer@user:alice`] : []),
    ...(i % 3 === 0 ? [`document:d${i}#viewer@agent:bot`] : []),
  ]).flat(),
].join("\n");

/** writeLoadData writes the schema and relationships the load asks about, with the latch CLI. */
export async function writeLoadData(grpcPort: number): Promise<void> {
  const env = { LATCH_ENDPOINT: `127.0.0.1:${grpcPort}` };
  for (const [args, stdin] of [
    [["schema", "write", "load.zed"], ""],
    [["import", "-"], LOAD_RELATIONSHIPS],
  ] as const) {
    const run = await runLatch([...args], { "load.zed": LOAD_SCHEMA }, { env, stdin });
    if (run.exitCode !== 0) throw new Error(`latch ${args.join(" ")} failed: ${run.stderr}`);
  }
}

/** DecisionLoad is the load on one server while it runs. */
export interface DecisionLoad {
  /** answered holds the decision ids of every response received whole. */
  readonly answered: ReadonlySet<string>;
  /** callers is how many callers still call. */
  callers(): number;
  /**
   * failure is the first call that failed before expectEnd: a fault of the server's, not of its
   * going away.
   */
  failure(): Error | undefined;
  /** expectEnd says the server is going away: from now on a failed call stops its caller quietly. */
  expectEnd(): void;
  /** stop stops every caller after its current call. */
  stop(): void;
}

type Permissions = Client<typeof PermissionService>;
/** Call makes one call for the n-th turn and returns the decision ids of its answer. */
type Call = (client: Permissions, n: number) => Promise<string[]>;

const OPTIONS = { timeoutMs: CALL_TIMEOUT_MS };
const FULLY_CONSISTENT = { requirement: { case: "fullyConsistent" as const, value: true } };
const alice = { object: { type: "user", id: "alice" } };
const bot = { object: { type: "agent", id: "bot" } };
const doc = (n: number) => ({ type: "document", id: `d${n % DOCUMENTS}` });

/** checkCall checks whether alice (with the bot acting for her, if asked) may view a document. */
const checkCall =
  (how: { fresh: boolean; bot: boolean }): Call =>
  async (client, n) => {
    const response = await client.check(
      {
        resource: doc(n),
        permission: "view",
        subject: alice,
        actors: how.bot ? [bot] : [],
        ...(how.fresh ? { consistency: FULLY_CONSISTENT } : {}),
      },
      OPTIONS,
    );
    return [response.decisionId];
  };

/**
 * CALLS are the calls of the load, taken in turn. Checks at minimize_latency (no consistency)
 * are answered from the cache once it holds them; the others are computed on the store.
 */
const CALLS: readonly Call[] = [
  checkCall({ fresh: false, bot: false }),
  checkCall({ fresh: true, bot: false }),
  checkCall({ fresh: false, bot: true }),
  async (client, n) => {
    const items = [0, 1, 2].map((i) => ({
      resource: doc(n + i),
      permission: "view",
      subject: alice,
      actors: i === 2 ? [bot] : [],
    }));
    const { pairs } = await client.checkBulk({ items, consistency: FULLY_CONSISTENT }, OPTIONS);
    return pairs.map((pair) => {
      if (pair.response.case !== "item") throw new Error("a CheckBulk item failed");
      return pair.response.value.decisionId;
    });
  },
  async (client) => {
    let decisionId: string | null = null;
    const stream = client.lookupResources(
      { resourceType: "document", permission: "view", subject: alice },
      { ...OPTIONS, onHeader: (header) => (decisionId = header.get(DECISION_ID_HEADER)) },
    );
    for await (const _ of stream);
    if (decisionId === null) throw new Error(`LookupResources gave no ${DECISION_ID_HEADER}`);
    return [decisionId];
  },
];

/** startLoad starts `callers` callers at the server on grpcPort, each calling until stopped. */
export function startLoad(grpcPort: number, callers: number): DecisionLoad {
  const client = createClient(
    PermissionService,
    createGrpcTransport({ baseUrl: `http://127.0.0.1:${grpcPort}` }),
  );
  const answered = new Set<string>();
  let running = 0;
  let ending = false;
  let stopped = false;
  let failure: Error | undefined;
  let next = 0;
  const call = async () => {
    running++;
    try {
      while (!stopped) {
        const n = next++;
        for (const id of await CALLS[n % CALLS.length]!(client, n)) answered.add(id);
      }
    } catch (error) {
      if (!ending) failure ??= error instanceof Error ? error : new Error(String(error));
    } finally {
      running--;
    }
  };
  for (let i = 0; i < callers; i++) void call();
  return {
    answered,
    callers: () => running,
    failure: () => failure,
    expectEnd: () => {
      ending = true;
    },
    stop: () => {
      stopped = true;
    },
  };
}
