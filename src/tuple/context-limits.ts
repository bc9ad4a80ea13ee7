// The bounds a caveat context must keep: how deep it nests, how long it is, and what its strings and numbers hold.

/**
 * MAX_CONTEXT_DEPTH is how deep a caveat context may nest objects and lists (the context itself
 * is level 1): deep enough for any CEL parameter, shallow enough that no request decoder or store
 * meets its own recursion limit first (protobuf's is 100 messages, two per level of a Struct).
 */
export const MAX_CONTEXT_DEPTH = 32;

/** MAX_CONTEXT_LENGTH bounds a caveat context's JSON text, in UTF-16 code units. */
export const MAX_CONTEXT_LENGTH = 64 * 1024;

/** ContextIssue is the first bound a context breaks: where in it (`a.b[2]`, empty for the whole) and why. */
export interface ContextIssue {
  readonly path: string;
  readonly problem: string;
}

/**
 * checkContext finds the first place where a caveat context breaks its bounds: nested deeper
 * than {@link MAX_CONTEXT_DEPTH}, a key or string holding U+0000 or an unpaired surrogate (no
 * JSON store keeps them), a number that is not finite (JSON has no NaN or Infinity), or longer
 * than {@link MAX_CONTEXT_LENGTH} as JSON. Values JSON cannot hold at all are left to the caller.
 */
export function checkContext(context: Readonly<Record<string, unknown>>): ContextIssue | undefined {
  const issue = checkValue(context, "", 1);
  if (issue !== undefined) return issue;
  // Checked last: the walk above has bounded the depth, so this recursion is safe.
  const length = JSON.stringify(context).length;
  if (length > MAX_CONTEXT_LENGTH) {
    return {
      path: "",
      problem: `is ${length} characters long as JSON, more than the limit of ${MAX_CONTEXT_LENGTH}`,
    };
  }
  return undefined;
}

function checkValue(value: unknown, path: string, depth: number): ContextIssue | undefined {
  if (typeof value === "string") return checkString(value, path, "a string");
  if (typeof value === "number" && !Number.isFinite(value)) {
    return { path, problem: `${value} is not a JSON number` };
  }
  if (typeof value !== "object" || value === null) return undefined;
  if (depth > MAX_CONTEXT_DEPTH) {
    return { path, problem: `nests deeper than ${MAX_CONTEXT_DEPTH} levels of objects and lists` };
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const issue = checkValue(value[i], `${path}[${i}]`, depth + 1);
      if (issue !== undefined) return issue;
    }
    return undefined;
  }
  for (const [key, member] of Object.entries(value)) {
    const at = path === "" ? key : `${path}.${key}`;
    const issue = checkString(key, at, "its key") ?? checkValue(member, at, depth + 1);
    if (issue !== undefined) return issue;
  }
  return undefined;
}

/** A surrogate not part of a pair: in unicode mode a pair is one code point, never this class. */
const UNPAIRED_SURROGATE = /\p{Cs}/u;

function checkString(text: string, path: string, what: string): ContextIssue | undefined {
  const problem = stringProblem(text);
  return problem === undefined ? undefined : { path, problem: `${what} ${problem}` };
}

/**
 * stringProblem says why a context's key or string value cannot be kept (`holds U+0000 at
 * position 3, ...`), or undefined when it can.
 */
export function stringProblem(text: string): string | undefined {
  const nul = text.indexOf("\0");
  if (nul !== -1) return `holds U+0000 at position ${nul + 1}, which JSON stores refuse`;
  const surrogate = UNPAIRED_SURROGATE.exec(text);
  if (surrogate === null) return undefined;
  const code = text.charCodeAt(surrogate.index).toString(16).toUpperCase();
  return `holds an unpaired surrogate U+${code} at position ${surrogate.index + 1}, which is not Unicode text`;
}
