// A duration's getMilliseconds(), as cel-go answers it: the whole duration in milliseconds.
//
// The CEL library answered the milliseconds within the last second (500 for "1.5s", where cel-go
// says 1500), so `d.getMilliseconds() < 1000` held for durations of many seconds. Its other
// duration accessors (getSeconds, getMinutes, getHours) already count the whole duration.

import { type CelFunc, CelScalar, celMethod, objectType } from "@bufbuild/cel";
import { type Duration, DurationSchema } from "@bufbuild/protobuf/wkt";

/** durationAccessors replaces the library's getMilliseconds() on a duration. */
export const durationAccessors: readonly CelFunc[] = [
  celMethod(
    "getMilliseconds",
    objectType(DurationSchema),
    [],
    CelScalar.INT,
    function (this: {
      message: Duration;
    }) {
      // Seconds and nanos share their sign, so the sum truncates toward zero as Go's does.
      return this.message.seconds * 1000n + BigInt(Math.trunc(this.message.nanos / 1_000_000));
    },
  ),
];
