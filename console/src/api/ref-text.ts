// A subject message as the text people read and type: `agent:bot`, `group:eng#member`, `agent:*`.

import { readSubjectRef } from "../../../src/api/convert/read-refs.js";
import type { SubjectRef } from "../../../src/gen/latch/v1/core_pb.js";
import { formatSubjectRef } from "../../../src/tuple/format-relationship.js";

/** subjectText is a subject message as `type:id`, `type:id#relation` or `type:*`. */
export function subjectText(subject: SubjectRef | undefined): string {
  return formatSubjectRef(readSubjectRef("subject", subject, "allow-wildcard"));
}
