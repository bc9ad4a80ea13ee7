// Caveat contexts from API messages, checked against the bounds every context keeps.

import type { JsonObject } from "@bufbuild/protobuf";
import { checkContext } from "../../tuple/context-limits.js";
import { RequestError } from "../request-error.js";

/**
 * readContext returns the caveat context at field, or throws a RequestError naming the place in
 * it that nests too deep, is too long, or holds what no JSON store keeps (see checkContext).
 */
export function readContext(field: string, context: JsonObject): JsonObject {
  const issue = checkContext(context);
  if (issue === undefined) return context;
  const at = issue.path === "" ? field : `${field}.${issue.path}`;
  throw new RequestError(at, `${at}: ${issue.problem}`);
}
