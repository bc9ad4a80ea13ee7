// SpiceDB's rules for object types, relations, caveat names and object ids, as reusable validators.

import { describeChar, describeIssue, type Issue } from "./issue.js";
import { WILDCARD } from "./relationship.js";

const MIN_NAME_LENGTH = 3;
const MAX_NAME_LENGTH = 64;
const MAX_PREFIX_LENGTH = 63;
/** MAX_ID_LENGTH is the longest object or subject id, as in SpiceDB. */
export const MAX_ID_LENGTH = 1024;
const NAME_CHARACTER = /^[a-z0-9_]$/;
const ID_CHARACTER = /^[a-zA-Z0-9/_|\-=+]$/;
const ID_CHARACTERS = "a-z, A-Z, 0-9 and / _ | - = +";
// The rules whole: a valid value (the common case, on every request) passes one test, and only an
// invalid one is scanned for the position and the wording of its first issue.
const VALID_RELATION = /^[a-z][a-z0-9_]{1,62}[a-z0-9]$/;
const VALID_PREFIXED_NAME = /^(?:[a-z][a-z0-9_]{1,61}[a-z0-9]\/)*[a-z][a-z0-9_]{1,62}[a-z0-9]$/;
const VALID_ID = /^[a-zA-Z0-9/_|\-=+]{1,1024}$/;
/** The longest caveat name a relationship can carry through SpiceDB's API. */
const MAX_CAVEAT_NAME_LENGTH = 128;
const VALID_CAVEAT_NAME = /^[a-zA-Z0-9_]+(?:\/[a-zA-Z0-9_]+)*$/;
const CAVEAT_NAME_CHARACTER = /^[a-zA-Z0-9_]$/;

/**
 * checkObjectType finds the first place where type breaks SpiceDB's rule
 * `^([a-z][a-z0-9_]{1,61}[a-z0-9]/)*[a-z][a-z0-9_]{1,62}[a-z0-9]$`: a name of 3 to 64 characters
 * from a-z, 0-9 and _, starting with a letter and not ending with _, optionally after prefixes of
 * 3 to 63 such characters, each followed by '/'.
 */
export function checkObjectType(type: string): Issue | undefined {
  return checkPrefixedName(type);
}

/**
 * checkCaveatName finds the first place where name breaks SpiceDB's rule for caveat names, looser
 * than its rule for types: 1 to 128 characters from a-z, A-Z, 0-9 and _, with single '/' between
 * prefixes (`ipAllowlist`, `org/IsAdmin`), what SpiceDB's schema reads as a caveat's name and its
 * API takes as the caveat a relationship names.
 */
export function checkCaveatName(name: string): Issue | undefined {
  if (name.length <= MAX_CAVEAT_NAME_LENGTH && VALID_CAVEAT_NAME.test(name)) return undefined;
  const lengthRule = `must be 1 to ${MAX_CAVEAT_NAME_LENGTH} characters long`;
  if (name.length === 0) return { index: 0, problem: lengthRule };
  for (let i = 0; i < name.length; i++) {
    if (name[i] === "/") {
      if (i === 0 || i === name.length - 1 || name[i - 1] === "/") {
        return { index: i, problem: "'/' must stand between two names" };
      }
    } else if (!CAVEAT_NAME_CHARACTER.test(name[i] ?? "")) {
      const problem = `${describeChar(name, i)} is not allowed; caveat names use a-z, A-Z, 0-9 and _, with '/' after a prefix`;
      return { index: i, problem };
    }
  }
  return { index: MAX_CAVEAT_NAME_LENGTH, problem: lengthRule };
}

/**
 * checkRelation finds the first place where relation breaks SpiceDB's rule
 * `^[a-z][a-z0-9_]{1,62}[a-z0-9]$`: 3 to 64 characters from a-z, 0-9 and _, starting with a letter
 * and not ending with _.
 */
export function checkRelation(relation: string): Issue | undefined {
  if (VALID_RELATION.test(relation)) return undefined;
  return checkName(relation, 0, relation.length, MAX_NAME_LENGTH, "");
}

/**
 * checkObjectId finds the first place where id breaks SpiceDB's rule for object ids: 1 to 1,024
 * characters from a-z, A-Z, 0-9 and / _ | - = +.
 */
export function checkObjectId(id: string): Issue | undefined {
  return checkId(id, "'*' is not allowed; only a subject id can be the wildcard '*'");
}

/** checkSubjectId is {@link checkObjectId} that also accepts the whole id {@link WILDCARD}. */
export function checkSubjectId(id: string): Issue | undefined {
  if (id === WILDCARD) return undefined;
  return checkId(id, "'*' is allowed only as the whole id, the wildcard '*'");
}

/** validateObjectType returns why type is not a valid object type (see {@link checkObjectType}), or undefined. */
export function validateObjectType(type: string): string | undefined {
  return explain("object type", type, checkObjectType(type));
}

/** validateRelation returns why relation is not a valid relation name (see {@link checkRelation}), or undefined. */
export function validateRelation(relation: string): string | undefined {
  return explain("relation", relation, checkRelation(relation));
}

/** validateCaveatName returns why name is not a valid caveat name (see {@link checkCaveatName}), or undefined. */
export function validateCaveatName(name: string): string | undefined {
  return explain("caveat name", name, checkCaveatName(name));
}

/**
 * validateObjectId returns why id is not a valid object id, or undefined. Allowed: 1 to 1,024
 * characters from `a-z A-Z 0-9 / _ | - = +`; the wildcard `*` is not an object id (see
 * {@link validateSubjectId}).
 */
export function validateObjectId(id: string): string | undefined {
  return explain("object id", id, checkObjectId(id));
}

/** validateSubjectId is {@link validateObjectId} that also accepts the wildcard id `*`. */
export function validateSubjectId(id: string): string | undefined {
  return explain("subject id", id, checkSubjectId(id));
}

/** explain words an issue in a bare value, with its 1-based position, or returns undefined. */
export function explain(
  field: string,
  value: string,
  issue: Issue | undefined,
): string | undefined {
  if (issue === undefined) return undefined;
  return describeIssue(field, value, `position ${issue.index + 1}`, issue.problem);
}

function checkPrefixedName(value: string): Issue | undefined {
  if (VALID_PREFIXED_NAME.test(value)) return undefined;
  let start = 0;
  for (;;) {
    const slash = value.indexOf("/", start);
    if (slash === -1) {
      const part = start === 0 ? "" : "the name after '/' ";
      return checkName(value, start, value.length, MAX_NAME_LENGTH, part);
    }
    const issue = checkName(value, start, slash, MAX_PREFIX_LENGTH, "the prefix before '/' ");
    if (issue !== undefined) return issue;
    start = slash + 1;
  }
}

/**
 * checkName checks value[start, end) against `[a-z][a-z0-9_]*[a-z0-9]` of 3 to max characters;
 * part ("the prefix before '/' ", say) says which part of the value the rule is about.
 */
function checkName(
  value: string,
  start: number,
  end: number,
  max: number,
  part: string,
): Issue | undefined {
  const length = end - start;
  const lengthRule = `${part}must be ${MIN_NAME_LENGTH} to ${max} characters long`;
  if (length === 0) return { index: start, problem: lengthRule };
  const first = value[start] ?? "";
  if (first < "a" || first > "z") {
    const found = describeChar(value, start);
    return { index: start, problem: `${part}must start with a lowercase letter, found ${found}` };
  }
  for (let i = start + 1; i < end; i++) {
    if (!NAME_CHARACTER.test(value[i] ?? "")) {
      return {
        index: i,
        problem: `${describeChar(value, i)} is not allowed; names use a-z, 0-9 and _`,
      };
    }
  }
  if (length > max) return { index: start + max, problem: lengthRule };
  if (length < MIN_NAME_LENGTH) return { index: start, problem: lengthRule };
  if (value[end - 1] === "_") return { index: end - 1, problem: `${part}must not end with '_'` };
  return undefined;
}

function checkId(id: string, starProblem: string): Issue | undefined {
  if (VALID_ID.test(id)) return undefined;
  const lengthRule = `must be 1 to ${MAX_ID_LENGTH} characters long`;
  if (id.length === 0) return { index: 0, problem: lengthRule };
  const checked = Math.min(id.length, MAX_ID_LENGTH);
  for (let i = 0; i < checked; i++) {
    const char = id[i] ?? "";
    if (char === WILDCARD) return { index: i, problem: starProblem };
    if (!ID_CHARACTER.test(char)) {
      return {
        index: i,
        problem: `${describeChar(id, i)} is not allowed; ids use ${ID_CHARACTERS}`,
      };
    }
  }
  if (id.length > MAX_ID_LENGTH) return { index: MAX_ID_LENGTH, problem: lengthRule };
  return undefined;
}
