// Timestamps from API messages, within the range protobuf documents for google.protobuf.Timestamp.

import { type Timestamp, timestampDate } from "@bufbuild/protobuf/wkt";
import { RequestError } from "../request-error.js";

/** The seconds of 0001-01-01T00:00:00Z and of 9999-12-31T23:59:59Z, Timestamp's documented range. */
const MIN_SECONDS = -62_135_596_800n;
const MAX_SECONDS = 253_402_300_799n;
const MAX_NANOS = 999_999_999;

/**
 * readTimestamp converts the timestamp at field to a Date (to the millisecond, as stored), or
 * throws a RequestError when its seconds fall outside 0001-01-01 to 9999-12-31 or its nanos
 * outside 0 to 999,999,999: nothing is normalised.
 */
export function readTimestamp(field: string, timestamp: Timestamp): Date {
  const { seconds, nanos } = timestamp;
  if (seconds < MIN_SECONDS || seconds > MAX_SECONDS) {
    throw new RequestError(
      `${field}.seconds`,
      `${field}.seconds: must be ${MIN_SECONDS} (0001-01-01T00:00:00Z) to ${MAX_SECONDS} (9999-12-31T23:59:59Z), got ${seconds}`,
    );
  }
  if (!Number.isInteger(nanos) || nanos < 0 || nanos > MAX_NANOS) {
    throw new RequestError(
      `${field}.nanos`,
      `${field}.nanos: must be 0 to ${MAX_NANOS}, got ${nanos}`,
    );
  }
  return timestampDate(timestamp);
}
