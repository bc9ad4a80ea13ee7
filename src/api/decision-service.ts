// latch.v1.DecisionService: the decision log read back, by page, by id, live, and verified.

import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { CursorError } from "../decisions/decision-cursor.js";
import { decisionIdTime } from "../decisions/decision-id.js";
import type { DecisionArchive } from "../decisions/sql-decision-log.js";
import type { DecisionService } from "../gen/latch/v1/decision_service_pb.js";
import { readDecisionFilter } from "./convert/read-decision-filter.js";
import { readPageSize } from "./convert/read-page-size.js";
import { readTimestamp } from "./convert/read-timestamp.js";
import { decisionMessage, verifyMessage } from "./convert/write-decision-record.js";
import { RequestError } from "./request-error.js";

/**
 * createDecisionService implements the decision service over the archive of the server's
 * decision log; without one (a store that is not SQL) every method answers FAILED_PRECONDITION.
 */
export function createDecisionService(
  archive: DecisionArchive | undefined,
): ServiceImpl<typeof DecisionService> {
  const open = (): DecisionArchive => {
    if (archive !== undefined) return archive;
    throw new ConnectError(
      "this server keeps no decision log: the log lives in the store's database, and this store has none (it is in memory)",
      Code.FailedPrecondition,
    );
  };
  return {
    async listDecisions(request) {
      const log = open();
      const filter = readDecisionFilter("filter", request.filter, "list");
      const pageSize = readPageSize("page_size", request.pageSize);
      try {
        const page = await log.list(
          filter,
          pageSize,
          request.cursor === "" ? undefined : request.cursor,
        );
        return {
          decisions: page.records.map(decisionMessage),
          nextCursor: page.nextCursor ?? "",
        };
      } catch (error) {
        if (error instanceof CursorError) {
          throw new RequestError("cursor", `cursor: ${error.message}`);
        }
        throw error;
      }
    },

    async getDecision(request) {
      const log = open();
      const id = request.decisionId;
      if (decisionIdTime(id) === undefined) {
        throw new RequestError(
          "decision_id",
          `decision_id: not a decision id (a UUIDv7 in lowercase hex with hyphens, such as 0190f5a2-7c3e-7d41-9a2b-5e0c1d2f3a4b), got ${JSON.stringify(id)}`,
        );
      }
      const record = await log.get(id);
      if (record === undefined) {
        throw new ConnectError(
          `decision ${id} is not in the log: never recorded, not written yet, or older than the retention`,
          Code.NotFound,
        );
      }
      return { decision: decisionMessage(record) };
    },

    async *watchDecisions(request, { signal }) {
      const log = open();
      const filter = readDecisionFilter("filter", request.filter, "watch");
      for await (const records of log.watch(filter, signal)) {
        yield { decisions: records.map(decisionMessage) };
      }
      // The stream never ends by itself: it stopped because the call did, which says why.
      signal.throwIfAborted();
    },

    async verifyDecisions(request) {
      const log = open();
      const since = request.since === undefined ? undefined : readTimestamp("since", request.since);
      return verifyMessage(await log.verify(since));
    },
  };
}
