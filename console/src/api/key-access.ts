// What the signed-in key may do, judged by the server's own table of the scope each method needs.

import type { DescMethod } from "@bufbuild/protobuf";
import { METHOD_SCOPES, type MethodScope } from "../../../src/api/method-scopes.js";

/**
 * KeyAccess is what DescribeKey said of the session's key: its name and scopes, or development
 * mode (no key configured: every call allowed).
 */
export interface KeyAccess {
  readonly development: boolean;
  readonly name: string;
  readonly scopes: ReadonlySet<string>;
}

/** scopeOf is the scope a call of method needs; one the table does not list needs `admin`, as on the server. */
export function scopeOf(method: DescMethod): MethodScope {
  return METHOD_SCOPES[`${method.parent.typeName}/${method.name}`] ?? "admin";
}

/** allows says whether access may call method: the server would not refuse it for its scopes. */
export function allows(access: KeyAccess, method: DescMethod): boolean {
  if (access.development) return true;
  const scope = scopeOf(method);
  return scope === "any" || access.scopes.has(scope) || access.scopes.has("admin");
}
