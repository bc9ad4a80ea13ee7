// Static type checking of a parsed caveat expression, against the overloads the CEL environment
// declares. @bufbuild/cel 0.6 has no usable checker of its own: `check` is not exported, and the
// implementation behind it handles only constants and identifiers.

import {
  type CelEnv,
  type CelFunc,
  CelScalar,
  type CelType,
  listType,
  mapType,
} from "@bufbuild/cel";
import { suggestName } from "../suggest.js";
import { describeCelType, durationCelType, timestampCelType } from "./caveat-cel-type.js";
import {
  isAssignable,
  isComparable,
  isDyn,
  isNumeric,
  joinTypes,
  sameType,
} from "./cel-type-relations.js";
import { describeOverloadFailure, operatorName } from "./describe-overload-failure.js";
import { MAX_INT, MAX_UINT, MIN_INT } from "./go-strconv.js";
import type { Call, Comprehension, Constant, Expr, Select, Struct } from "./parsed-expr.js";

/** TypeIssue is one type error, attached to the id of the expression node it is about. */
export interface TypeIssue {
  readonly exprId: bigint;
  readonly message: string;
}

/** CheckResult is the expression's static type, and the type errors found (empty when it checks). */
export interface CheckResult {
  readonly type: CelType;
  readonly issues: readonly TypeIssue[];
}

type Scope = ReadonlyMap<string, CelType>;

const { BOOL, DYN, INT, UINT, DOUBLE, STRING, NULL, TYPE } = CelScalar;
const typeNames = ["int", "uint", "double", "bool", "string", "bytes", "list", "map", "type"];

/**
 * checkExpression infers the type of `expr` with `parameters` as its variables. A subexpression
 * with an error gets type dyn, so one mistake is reported once rather than at every enclosing call.
 */
export function checkExpression(
  env: CelEnv,
  expr: Expr,
  parameters: ReadonlyMap<string, CelType>,
): CheckResult {
  const issues: TypeIssue[] = [];

  function fail(node: Expr, message: string): CelType {
    issues.push({ exprId: node.id, message });
    return DYN;
  }

  /** describe names an operand's type, and the parameter when the operand is one. */
  function describe(node: Expr, type: CelType, scope: Scope): string {
    const kind = node.exprKind;
    const isParameter =
      kind.case === "identExpr" && parameters.has(kind.value.name) && !scope.has(kind.value.name);
    return isParameter
      ? `${describeCelType(type)} (parameter '${kind.value.name}')`
      : describeCelType(type);
  }

  function check(node: Expr, scope: Scope): CelType {
    const kind = node.exprKind;
    switch (kind.case) {
      case "constExpr": {
        const invalid = invalidLiteral(kind.value);
        return invalid === undefined ? constantType(kind.value) : fail(node, invalid);
      }
      case "identExpr":
        return checkIdent(node, kind.value.name, scope);
      case "selectExpr":
        return checkSelect(node, kind.value, scope);
      case "callExpr":
        return checkCall(node, kind.value, scope);
      case "listExpr":
        return listType(joinTypes(kind.value.elements.map((e) => check(e, scope))));
      case "structExpr":
        return checkStruct(node, kind.value, scope);
      case "comprehensionExpr":
        return checkComprehension(node, kind.value, scope);
      default:
        return fail(node, "this kind of expression is not supported in caveats");
    }
  }

  function checkIdent(node: Expr, name: string, scope: Scope): CelType {
    const type = scope.get(name) ?? parameters.get(name);
    if (type !== undefined) {
      return type;
    }
    if (typeNames.includes(name)) {
      return TYPE;
    }
    const suggestion = suggestName(name, [...parameters.keys()]);
    const hint = suggestion === undefined ? "" : ` (did you mean '${suggestion}'?)`;
    return fail(
      node,
      `unknown name '${name}'${hint}: caveat expressions can only use the caveat's parameters; ` +
        `declare it as a parameter, e.g. '${name} string'`,
    );
  }

  function checkSelect(node: Expr, select: Select, scope: Scope): CelType {
    if (select.operand === undefined) {
      return fail(node, "field selection without an operand");
    }
    const operand = check(select.operand, scope);
    const value = fieldType(operand);
    if (value === undefined) {
      return fail(
        node,
        `${describe(select.operand, operand, scope)} has no field '${select.field}': only maps ` +
          "have fields (methods need parentheses, e.g. now.getHours())",
      );
    }
    return select.testOnly ? BOOL : value;
  }

  function checkCall(node: Expr, call: Call, scope: Scope): CelType {
    const target = call.target === undefined ? undefined : check(call.target, scope);
    const args = call.args.map((a) => check(a, scope));
    const operand = (i: number) => describe(call.args[i] ?? node, args[i] ?? DYN, scope);
    switch (call.function) {
      case "_&&_":
      case "_||_": {
        args.forEach((arg, i) => {
          if (isAssignable(arg, BOOL)) {
            return;
          }
          const side = i === 0 ? "left" : "right";
          fail(
            node,
            isAccumulator(call.args[1 - i])
              ? `the condition of all() or exists() must be bool, but it is ${operand(i)}`
              : `'${operatorName(call.function)}' needs bool operands, but the ${side} operand is ${operand(i)}`,
          );
        });
        return BOOL;
      }
      case "_?_:_": {
        const [condition = DYN, whenTrue = DYN, whenFalse = DYN] = args;
        if (!isAssignable(condition, BOOL)) {
          const what = isAccumulator(call.args[2]) ? "exists_one() or filter()" : "'?:'";
          return fail(node, `the condition of ${what} must be bool, but it is ${operand(0)}`);
        }
        if (!isComparable(whenTrue, whenFalse)) {
          return fail(
            node,
            `the branches of '?:' must have the same type, but they are ${operand(1)} and ${operand(2)}`,
          );
        }
        return isDyn(whenTrue) ? whenFalse : whenTrue;
      }
      case "_==_":
      case "_!=_":
        if (!isComparable(args[0] ?? DYN, args[1] ?? DYN)) {
          fail(
            node,
            `'${operatorName(call.function)}' cannot compare ${operand(0)} with ${operand(1)}; compare values of the same type`,
          );
        }
        return BOOL;
      case "@in":
        return checkIn(node, args, operand);
      case "_[_]":
        return checkIndex(node, args, operand);
      case "@not_strictly_false":
        return BOOL;
      default:
        return checkOverloads(node, call, target, args, (i) =>
          i < 0 && call.target !== undefined
            ? describe(call.target, target ?? DYN, scope)
            : operand(i),
        );
    }
  }

  function checkIn(node: Expr, args: CelType[], operand: (i: number) => string): CelType {
    const [element = DYN, container = DYN] = args;
    const allowed =
      container.kind === "list"
        ? container.element
        : container.kind === "map"
          ? container.key
          : isDyn(container)
            ? DYN
            : undefined;
    if (allowed === undefined) {
      return fail(node, `'in' needs a list or map on its right, but it is ${operand(1)}`);
    }
    if (!isComparable(element, allowed)) {
      return fail(node, `'in' cannot look for ${operand(0)} in ${operand(1)}`);
    }
    return BOOL;
  }

  function checkIndex(node: Expr, args: CelType[], operand: (i: number) => string): CelType {
    const [container = DYN, index = DYN] = args;
    if (container.kind === "list") {
      return isNumeric(index) || isDyn(index)
        ? container.element
        : fail(node, `a list index must be an int, but it is ${operand(1)}`);
    }
    if (container.kind === "map") {
      return isComparable(index, container.key)
        ? container.value
        : fail(
            node,
            `the keys of ${operand(0)} are ${describeCelType(container.key)}, but the index is ${operand(1)}`,
          );
    }
    return isDyn(container)
      ? DYN
      : fail(node, `${operand(0)} cannot be indexed; only lists and maps can`);
  }

  function checkOverloads(
    node: Expr,
    call: Call,
    target: CelType | undefined,
    args: CelType[],
    describeOperand: (i: number) => string,
  ): CelType {
    const candidates = [...(env.funcs.find(call.function) ?? [])];
    const matches = candidates.filter(
      (f) =>
        (f.target === undefined) === (target === undefined) &&
        (f.target === undefined || target === undefined || isAssignable(target, f.target)) &&
        f.arguments.length === args.length &&
        f.arguments.every((p, i) => isAssignable(args[i] ?? DYN, p)),
    );
    if (matches.length === 0) {
      const functionNames = [...env.funcs].map((f) => f.name).filter((n) => /^[a-z]/i.test(n));
      return fail(
        node,
        describeOverloadFailure({
          name: call.function,
          target,
          args,
          candidates,
          describe: describeOperand,
          suggestion:
            candidates.length === 0 ? suggestName(call.function, functionNames) : undefined,
        }),
      );
    }
    return sameResult(matches);
  }

  function checkStruct(node: Expr, struct: Struct, scope: Scope): CelType {
    if (struct.messageName !== "") {
      return fail(
        node,
        `creating messages ('${struct.messageName}{...}') is not supported in caveats`,
      );
    }
    const keys: CelType[] = [];
    const values: CelType[] = [];
    for (const entry of struct.entries) {
      if (entry.keyKind.case === "mapKey") {
        keys.push(check(entry.keyKind.value, scope));
      }
      if (entry.value !== undefined) {
        values.push(check(entry.value, scope));
      }
    }
    const joined = joinTypes(keys);
    const key = [INT, UINT, BOOL, STRING, DYN].find((k) => k.name === joined.name);
    if (key === undefined) {
      return fail(
        node,
        `map keys must be int, uint, bool or string, but they are ${describeCelType(joined)}`,
      );
    }
    return mapType(key, joinTypes(values));
  }

  function checkComprehension(node: Expr, c: Comprehension, scope: Scope): CelType {
    if (!c.iterRange || !c.accuInit || !c.loopCondition || !c.loopStep || !c.result) {
      return fail(node, "incomplete macro expansion");
    }
    const range = check(c.iterRange, scope);
    const element =
      range.kind === "list"
        ? range.element
        : range.kind === "map"
          ? range.key
          : isDyn(range)
            ? DYN
            : undefined;
    if (element === undefined) {
      return fail(
        c.iterRange,
        `${describe(c.iterRange, range, scope)} cannot be iterated; macros such as all() and exists() need a list or map`,
      );
    }
    const accumulator = check(c.accuInit, scope);
    const loop = new Map(scope).set(c.accuVar, accumulator).set(c.iterVar, element);
    check(c.loopCondition, loop);
    check(c.loopStep, loop);
    return check(c.result, new Map(scope).set(c.accuVar, accumulator));
  }

  return { type: check(expr, new Map()), issues };
}

/** isAccumulator recognizes the variable macro expansions accumulate into. */
function isAccumulator(node: Expr | undefined): boolean {
  return node?.exprKind.case === "identExpr" && node.exprKind.value.name === "@result";
}

function constantType(constant: Constant): CelType {
  switch (constant.constantKind.case) {
    case "boolValue":
      return BOOL;
    case "int64Value":
      return INT;
    case "uint64Value":
      return UINT;
    case "doubleValue":
      return DOUBLE;
    case "stringValue":
      return STRING;
    case "bytesValue":
      return CelScalar.BYTES;
    case "nullValue":
      return NULL;
    case "durationValue":
      return durationCelType;
    case "timestampValue":
      return timestampCelType;
    default:
      return DYN;
  }
}

/**
 * invalidLiteral says why a number literal cannot be one (an int beyond 64 bits, a double
 * beyond a float64's range), or undefined: cel-go refuses them, where the parser would keep
 * the out-of-range value and the caveat would compare with a number no context can hold.
 */
function invalidLiteral(constant: Constant): string | undefined {
  const { case: kind, value } = constant.constantKind;
  if (kind === "int64Value" && (value < MIN_INT || value > MAX_INT)) {
    return `int literal ${value} is out of range: an int is 64 bits (-9223372036854775808 to 9223372036854775807)`;
  }
  if (kind === "uint64Value" && value > MAX_UINT) {
    return `uint literal ${value}u is out of range: a uint is 64 bits (at most 18446744073709551615u)`;
  }
  if (kind === "doubleValue" && !Number.isFinite(value)) {
    return "double literal is out of range: a double is at most about 1.8e308";
  }
  return undefined;
}

/** fieldType is the type of `operand.field`, or undefined when the operand has no fields. */
function fieldType(operand: CelType): CelType | undefined {
  if (isDyn(operand)) {
    return DYN;
  }
  return operand.kind === "map" && isAssignable(STRING, operand.key) ? operand.value : undefined;
}

/** sameResult is the result type the matching overloads agree on, or dyn when they differ. */
function sameResult(matches: readonly CelFunc[]): CelType {
  const [first, ...rest] = matches;
  return first !== undefined && rest.every((f) => sameType(f.result, first.result))
    ? first.result
    : DYN;
}
