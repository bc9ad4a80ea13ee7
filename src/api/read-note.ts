// Free text of people for people (a suspension's reason, a request's justification, a decision's note), checked.

import { MAX_REASON_LENGTH } from "../agents/suspension.js";
import { stringProblem } from "../tuple/context-limits.js";
import { RequestError } from "./request-error.js";

/**
 * readNote checks the text at field: at most {@link MAX_REASON_LENGTH} characters (code points)
 * of text a caveat context can hold; when required, not blank, the hint saying what to write.
 */
export function readNote(
  field: string,
  text: string,
  requirement: "optional" | { readonly required: string },
): string {
  if (requirement !== "optional" && text.trim() === "") {
    throw new RequestError(
      field,
      `${field}: required: ${requirement.required}, in 1 to ${MAX_REASON_LENGTH} characters`,
    );
  }
  const length = [...text].length;
  if (length > MAX_REASON_LENGTH) {
    throw new RequestError(
      field,
      `${field}: ${length} characters is more than the limit of ${MAX_REASON_LENGTH}`,
    );
  }
  const problem = stringProblem(text);
  if (problem !== undefined) throw new RequestError(field, `${field}: ${problem}`);
  return text;
}
