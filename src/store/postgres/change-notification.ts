// The NOTIFY that tells every Latch process sharing the database that the changelog grew.

/** CHANGES_CHANNEL is the channel of change notifications. */
export const CHANGES_CHANNEL = "latch_changes";

/** ChangeNotification is what a commit tells other processes. */
export interface ChangeNotification {
  /** The head revision at the commit. */
  readonly revision: number;
  /** The earliest expiry (epoch milliseconds) the commit wrote, for other processes' expiry timers. */
  readonly expiry?: number;
}

/** formatNotification writes a notification as its payload: `revision[ expiry]`. */
export function formatNotification({ revision, expiry }: ChangeNotification): string {
  return expiry === undefined ? `${revision}` : `${revision} ${expiry}`;
}

/** parseNotification reads a payload of {@link formatNotification}; parts it cannot read are left out. */
export function parseNotification(payload: string): Partial<ChangeNotification> {
  const [revision, expiry] = payload.split(" ").map(Number);
  return {
    ...(Number.isSafeInteger(revision) ? { revision } : {}),
    ...(Number.isFinite(expiry) ? { expiry } : {}),
  };
}
