// Messages for calls no overload accepts: what was written, and what the function does accept.

import type { CelFunc, CelType } from "@bufbuild/cel";
import { describeCelType } from "./caveat-cel-type.js";
import { isAssignable, isNumeric } from "./cel-type-relations.js";

/** OverloadFailure is a call that matched no overload, as the type checker saw it. */
export interface OverloadFailure {
  /** The function's internal name: `startsWith`, or `_>_` for the operator `>`. */
  readonly name: string;
  /** The receiver's type, for a method call. */
  readonly target: CelType | undefined;
  readonly args: readonly CelType[];
  /** Every overload declared under the name. */
  readonly candidates: readonly CelFunc[];
  /** describe names argument i (or the receiver, for -1), mentioning the parameter it is. */
  readonly describe: (i: number) => string;
  /** A similarly spelled function, when the name is unknown. */
  readonly suggestion: string | undefined;
}

/** operatorName turns an internal operator name into what the expression shows: `_>_` is `>`. */
export function operatorName(name: string): string {
  const names: Readonly<Record<string, string>> = { "@in": "in", "_[_]": "[]", "_?_:_": "?:" };
  return names[name] ?? name.replaceAll("_", "");
}

/** describeOverloadFailure says why a call matched no overload and what would be accepted. */
export function describeOverloadFailure(failure: OverloadFailure): string {
  const { name, target, candidates, describe, suggestion } = failure;
  if (isOperator(name)) {
    return describeOperatorFailure(failure);
  }
  const methods = candidates.filter((f) => f.target !== undefined);
  const functions = candidates.filter((f) => f.target === undefined);
  if (candidates.length === 0) {
    const hint = suggestion === undefined ? "" : `; did you mean '${suggestion}'?`;
    return target === undefined
      ? `unknown function '${name}'${hint}`
      : `unknown method '${name}' on ${describe(-1)}${hint}`;
  }
  if (target === undefined && functions.length === 0) {
    return `'${name}' is a method: call it on a value, as in ${signature(methods[0])}`;
  }
  if (target !== undefined && methods.length === 0) {
    return `'${name}' is a function, not a method: call it as ${signature(functions[0])}`;
  }
  if (target !== undefined && !methods.some((f) => f.target && isAssignable(target, f.target))) {
    const receivers = unique(methods.map((f) => describeCelType(f.target ?? target)));
    return `${describe(-1)} has no method '${name}'; it is defined on ${receivers.join(", ")}`;
  }
  const written = target === undefined ? name : `${describeCelType(target)}.${name}`;
  const given = failure.args.map((_, i) => describe(i)).join(", ");
  const accepted = (target === undefined ? functions : methods).map(signature);
  return `${written}(${given}) is not defined; use ${listOr(accepted)}`;
}

function describeOperatorFailure({ name, args, candidates, describe }: OverloadFailure): string {
  const op = operatorName(name);
  const [left, right] = args;
  if (left === undefined || right === undefined) {
    return `'${op}' cannot be applied to ${describe(0)}`;
  }
  const rights = unique(
    candidates
      .filter((f) => f.arguments.length === 2 && isAssignable(left, f.arguments[0] ?? left))
      .map((f) => describeCelType(f.arguments[1] ?? right)),
  );
  const hint =
    rights.length === 0
      ? `; ${describeCelType(left)} does not support '${op}'`
      : `; with ${describeCelType(left)} on the left, the right side must be ${listOr(rights)}`;
  const numeric =
    isNumeric(left) && isNumeric(right)
      ? " (write 1u for a uint literal and 1.0 for a double, or convert with int(), uint() or double())"
      : "";
  return `'${op}' cannot be applied to ${describe(0)} and ${describe(1)}${hint}${numeric}`;
}

function isOperator(name: string): boolean {
  return /^(_.*_|[-!]_)$/.test(name);
}

function signature(f: CelFunc | undefined): string {
  if (f === undefined) {
    return "";
  }
  const args = f.arguments.map(describeCelType).join(", ");
  const receiver = f.target === undefined ? "" : `${describeCelType(f.target)}.`;
  return `${receiver}${f.name}(${args})`;
}

function listOr(items: readonly string[]): string {
  return items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
