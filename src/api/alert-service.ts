// latch.v1.AlertService: the alerts the alert rules raised, by page and live, and their acknowledgement.

import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import type { AlertArchive } from "../alerts/alert-archive.js";
import { type AlertFilter, AlertNotFoundError } from "../alerts/alert-store.js";
import {
  type AlertFilter as AlertFilterMessage,
  type AlertService,
  AlertStatus,
} from "../gen/latch/v1/alert_service_pb.js";
import { parseObjectRef } from "../tuple/parse-ref.js";
import { NotFoundError } from "./api-error.js";
import { readPageSize } from "./convert/read-page-size.js";
import { alertMessage } from "./convert/write-alert.js";
import { PRINCIPAL } from "./guard-service.js";
import { readNote } from "./read-note.js";
import { RequestError } from "./request-error.js";

/** DEVELOPMENT is who acknowledges on a server with no API key (development mode). */
const DEVELOPMENT = "development";
const ALERT_ID = /^[1-9][0-9]{0,18}$/;
/** An after_id: an alert's id, or 0 (before the first), so that a client that listed none misses none. */
const AFTER_ID = /^(0|[1-9][0-9]{0,18})$/;

/**
 * createAlertService implements the alert service over the alerts of the store's database;
 * without one (a store in memory) every method answers FAILED_PRECONDITION.
 */
export function createAlertService(
  archive: AlertArchive | undefined,
): ServiceImpl<typeof AlertService> {
  const open = (): AlertArchive => {
    if (archive !== undefined) return archive;
    throw new ConnectError(
      "this server keeps no alerts: they live in the store's database, and this store has none (it is in memory)",
      Code.FailedPrecondition,
    );
  };
  return {
    async listAlerts(request) {
      const alerts = open();
      const filter = readFilter("filter", request.filter);
      const pageSize = readPageSize("page_size", request.pageSize);
      const cursor = request.cursor === "" ? undefined : readId("cursor", request.cursor);
      const page = await alerts.list(filter, pageSize, cursor);
      return { alerts: page.alerts.map(alertMessage), nextCursor: page.nextCursor ?? "" };
    },

    async acknowledgeAlert(request, call: HandlerContext) {
      const alerts = open();
      const id = readId("id", request.id);
      const note = readNote("note", request.note, "optional");
      const by = call.values.get(PRINCIPAL)?.keyName ?? DEVELOPMENT;
      try {
        return { alert: alertMessage(await alerts.acknowledge(id, by, note)) };
      } catch (error) {
        if (error instanceof AlertNotFoundError) {
          throw new NotFoundError(`id: ${error.message} (ListAlerts lists them)`);
        }
        throw error;
      }
    },

    async *watchAlerts(request, call) {
      const alerts = open();
      const filter = readFilter("filter", request.filter);
      const after =
        request.afterId === "" ? undefined : readId("after_id", request.afterId, AFTER_ID);
      for await (const alert of alerts.watch(filter, after, call.signal)) {
        yield { alert: alertMessage(alert) };
      }
    },
  };
}

/** readId reads an alert id at field: a positive integer (or what pattern allows), as text. */
function readId(field: string, id: string, pattern = ALERT_ID): string {
  if (pattern.test(id)) return id;
  throw new RequestError(
    field,
    `${field}: not an alert id (a positive integer, such as 42), got ${JSON.stringify(id)}`,
  );
}

function readFilter(field: string, message: AlertFilterMessage | undefined): AlertFilter {
  if (message === undefined) return {};
  const { rule, status, agent } = message;
  if (agent !== "") {
    const parsed = parseObjectRef(agent);
    if (!parsed.ok) {
      throw new RequestError(`${field}.agent`, `${field}.agent: ${parsed.error.message}`);
    }
  }
  return {
    ...(rule === "" ? {} : { rule }),
    ...(agent === "" ? {} : { agent }),
    ...(status === AlertStatus.OPEN
      ? { status: "open" as const }
      : status === AlertStatus.ACKNOWLEDGED
        ? { status: "acknowledged" as const }
        : {}),
  };
}
