// The alerts in the store's database: raised once per rule, key and window; listed, acknowledged, followed.

import { param } from "../store/postgres/filter-sql.js";
import type { SqlQueryable, SqlRow } from "../store/postgres/sql-executor.js";
import type { Alert, AlertStatus, NewAlert } from "./alert.js";

/** ALERTS_CHANNEL is the NOTIFY channel a transaction that raised alerts announces itself on. */
export const ALERTS_CHANNEL = "latch_alerts";

/** AlertFilter selects alerts: every field set must match. */
export interface AlertFilter {
  readonly rule?: string;
  readonly status?: AlertStatus;
  readonly agent?: string;
}

/** AlertPage is one page of a listing, and the cursor to the next (undefined after the last). */
export interface AlertPage {
  readonly alerts: readonly Alert[];
  readonly nextCursor?: string;
}

/** AlertNotFoundError is an id no alert has. */
export class AlertNotFoundError extends Error {
  readonly code = "alert_not_found";
  constructor(readonly id: string) {
    super(`no alert has the id ${id}`);
    this.name = "AlertNotFoundError";
  }
}

const COLUMNS = `id::text AS id, rule, key, raised_at, decision_id::text AS decision_id, decided_at,
  agent, principal, resource, permission, result, reason, count, summary, status,
  acknowledged_by, acknowledged_at, note`;

/**
 * insertAlerts stores alerts in tx, each with the window it fired in and the webhook it waits
 * for, and returns those stored: an alert whose rule, key and window one already holds is
 * skipped, which is what keeps an evaluator that reads a decision again from raising it twice.
 */
export async function insertAlerts(
  tx: SqlQueryable,
  alerts: readonly { alert: NewAlert; windowStart: number; webhook?: string }[],
): Promise<Alert[]> {
  const stored: Alert[] = [];
  for (const { alert, windowStart, webhook } of alerts) {
    const rows = await tx.query(
      `INSERT INTO latch_alerts (rule, key, window_start, decision_id, decided_at, agent, principal,
         resource, permission, result, reason, count, summary, webhook_pending)
       VALUES ($1, $2, $3, $4::uuid, $5::timestamptz, $6, $7, $8, $9, $10, $11, $12, $13, $14)
       ON CONFLICT (rule, key, window_start) DO NOTHING
       RETURNING ${COLUMNS}`,
      [
        alert.rule,
        alert.key,
        windowStart,
        alert.decisionId,
        alert.decidedAt,
        alert.agent,
        alert.principal,
        alert.resource,
        alert.permission,
        alert.result,
        alert.reason,
        alert.count,
        alert.summary,
        webhook ?? null,
      ],
    );
    stored.push(...rows.map(alertOf));
  }
  if (stored.length > 0) await tx.query(`SELECT pg_notify('${ALERTS_CHANNEL}', '')`);
  return stored;
}

/** listAlerts reads up to pageSize alerts matching filter, newest first, after cursor (an id). */
export async function listAlerts(
  db: SqlQueryable,
  filter: AlertFilter,
  pageSize: number,
  cursor?: string,
): Promise<AlertPage> {
  const params: unknown[] = [];
  const where = conditions(filter, params);
  if (cursor !== undefined) where.push(`id < ${param(params, cursor, "bigint")}`);
  const rows = await db.query(
    `SELECT ${COLUMNS} FROM latch_alerts ${whereClause(where)}
     ORDER BY id DESC LIMIT ${param(params, pageSize + 1, "integer")}`,
    params,
  );
  const alerts = rows.slice(0, pageSize).map(alertOf);
  const last = alerts[alerts.length - 1];
  return rows.length > pageSize && last !== undefined
    ? { alerts, nextCursor: last.id }
    : { alerts };
}

/** alertsAfter reads up to limit alerts matching filter with an id above after, oldest first. */
export async function alertsAfter(
  db: SqlQueryable,
  filter: AlertFilter,
  after: string,
  limit: number,
): Promise<Alert[]> {
  const params: unknown[] = [];
  const where = [...conditions(filter, params), `id > ${param(params, after, "bigint")}`];
  const rows = await db.query(
    `SELECT ${COLUMNS} FROM latch_alerts ${whereClause(where)} ORDER BY id LIMIT ${param(params, limit, "integer")}`,
    params,
  );
  return rows.map(alertOf);
}

/** lastAlertId is the id of the newest alert, "0" when there is none. */
export async function lastAlertId(db: SqlQueryable): Promise<string> {
  const [row] = await db.query("SELECT coalesce(max(id), 0)::text AS id FROM latch_alerts");
  return String(row?.id ?? "0");
}

/**
 * acknowledgeAlert marks alert id acknowledged by `by` with note, and returns it; an alert
 * already acknowledged is returned as it is (acknowledging twice changes nothing). It throws an
 * AlertNotFoundError for an id no alert has.
 */
export async function acknowledgeAlert(
  db: SqlQueryable,
  id: string,
  by: string,
  note: string,
): Promise<Alert> {
  const [updated] = await db.query(
    `UPDATE latch_alerts SET status = 'acknowledged', acknowledged_by = $2,
       acknowledged_at = now(), note = $3
     WHERE id = $1::bigint AND status = 'open' RETURNING ${COLUMNS}`,
    [id, by, note],
  );
  if (updated !== undefined) return alertOf(updated);
  const [existing] = await db.query(`SELECT ${COLUMNS} FROM latch_alerts WHERE id = $1::bigint`, [
    id,
  ]);
  if (existing === undefined) throw new AlertNotFoundError(id);
  return alertOf(existing);
}

/** pendingDeliveries reads the alerts still waiting for their webhook, oldest first, up to limit. */
export async function pendingDeliveries(
  db: SqlQueryable,
  limit: number,
): Promise<{ alert: Alert; webhook: string }[]> {
  const rows = await db.query(
    `SELECT ${COLUMNS}, webhook_pending FROM latch_alerts WHERE webhook_pending IS NOT NULL
     ORDER BY id LIMIT $1`,
    [limit],
  );
  return rows.map((row) => ({ alert: alertOf(row), webhook: String(row.webhook_pending) }));
}

/** markDelivered notes that alert id's webhook took it. */
export async function markDelivered(db: SqlQueryable, id: string): Promise<void> {
  await db.query("UPDATE latch_alerts SET webhook_pending = NULL WHERE id = $1::bigint", [id]);
}

function conditions(filter: AlertFilter, params: unknown[]): string[] {
  const where: string[] = [];
  if (filter.rule !== undefined) where.push(`rule = ${param(params, filter.rule)}`);
  if (filter.status !== undefined) where.push(`status = ${param(params, filter.status)}`);
  if (filter.agent !== undefined) where.push(`agent = ${param(params, filter.agent)}`);
  return where;
}

function whereClause(where: readonly string[]): string {
  return where.length === 0 ? "" : `WHERE ${where.join(" AND ")}`;
}

function alertOf(row: SqlRow): Alert {
  const time = (value: unknown) => new Date(value as string | Date).toISOString();
  const text = (value: unknown) =>
    value === null || value === undefined ? undefined : String(value);
  const acknowledgedBy = text(row.acknowledged_by);
  return {
    id: String(row.id),
    rule: String(row.rule),
    key: String(row.key),
    raisedAt: time(row.raised_at),
    decisionId: String(row.decision_id),
    decidedAt: time(row.decided_at),
    agent: String(row.agent),
    principal: String(row.principal),
    resource: String(row.resource),
    permission: String(row.permission),
    result: String(row.result),
    reason: String(row.reason),
    count: Number(row.count),
    summary: String(row.summary),
    status: row.status === "acknowledged" ? "acknowledged" : "open",
    ...(acknowledgedBy === undefined
      ? {}
      : {
          acknowledgedBy,
          acknowledgedAt: time(row.acknowledged_at),
          note: text(row.note) ?? "",
        }),
  };
}
