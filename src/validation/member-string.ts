// Writes a membership-set subject the way expected-relations files do: `[user:* - {user:bob}] is <doc:x#viewer>`.

import { formatSubjectRef } from "../tuple/format-relationship.js";
import type { Member } from "./membership-set.js";

/** memberString writes a member as an expected-relations entry, relations sorted and joined by `/`. */
export function memberString(member: Member): string {
  return `[${memberSubject(member)}] is ${relationsString([...member.found.relations])}`;
}

/** memberSubject writes the bracketed part: the subject, `[...]` if caveated, a wildcard's exclusions. */
export function memberSubject({ subject, found }: Member): string {
  let text = formatSubjectRef(subject) + (found.caveated ? "[...]" : "");
  const excluded = exclusionStrings({ subject, found });
  if (excluded.length > 0) text += ` - {${excluded.join(", ")}}`;
  return text;
}

/** exclusionStrings lists a wildcard's exclusions, sorted, caveated ones marked `[...]`. */
export function exclusionStrings({ subject, found }: Member): string[] {
  return found.excluded
    .map((e) => formatSubjectRef({ ...subject, id: e.id }) + (e.caveated ? "[...]" : ""))
    .sort();
}

/** relationsString writes relations as `<a>/<b>`, sorted and without repeats. */
export function relationsString(relations: readonly string[]): string {
  return [...new Set(relations)]
    .sort()
    .map((relation) => `<${relation}>`)
    .join("/");
}
