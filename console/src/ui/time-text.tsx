// A moment, shown in the viewer's time zone, with its exact UTC time on hover and for machines.

import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { timestampDate } from "@bufbuild/protobuf/wkt";

const FORMAT = new Intl.DateTimeFormat(undefined, {
  dateStyle: "medium",
  timeStyle: "medium",
});

/** TimeText shows at in the viewer's zone, or a dash when unset. */
export function TimeText({ at }: { readonly at: Timestamp | undefined }) {
  if (at === undefined) return <span>—</span>;
  const date = timestampDate(at);
  return (
    <time dateTime={date.toISOString()} title={date.toISOString()}>
      {FORMAT.format(date)}
    </time>
  );
}
