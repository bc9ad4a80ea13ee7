// How static CEL types relate: assignability for overloads, comparability for `==` and `in`.

import { CelScalar, type CelType } from "@bufbuild/cel";

/** isDyn reports whether the type is dyn, the type of `any` parameters and of unknown results. */
export function isDyn(type: CelType): boolean {
  return type.kind === "scalar" && type.name === CelScalar.DYN.name;
}

/** isNumeric reports whether the type is int, uint or double. */
export function isNumeric(type: CelType): boolean {
  return type.kind === "scalar" && ["int", "uint", "double"].includes(type.name);
}

/** sameType reports whether two types are identical. */
export function sameType(a: CelType, b: CelType): boolean {
  if (a.kind === "list" && b.kind === "list") {
    return sameType(a.element, b.element);
  }
  if (a.kind === "map" && b.kind === "map") {
    return sameType(a.key, b.key) && sameType(a.value, b.value);
  }
  return a.kind === b.kind && a.name === b.name;
}

/** joinTypes is the common type of several values (a list literal's elements): theirs, or dyn. */
export function joinTypes(types: readonly CelType[]): CelType {
  const [first, ...rest] = types.filter((t) => !isDyn(t));
  return first !== undefined && rest.every((t) => sameType(t, first)) ? first : CelScalar.DYN;
}

/** isAssignable reports whether a value of type `actual` may be passed where `expected` is declared. */
export function isAssignable(actual: CelType, expected: CelType): boolean {
  if (isDyn(actual) || isDyn(expected)) {
    return true;
  }
  if (actual.kind === "list" && expected.kind === "list") {
    return isAssignable(actual.element, expected.element);
  }
  if (actual.kind === "map" && expected.kind === "map") {
    return isAssignable(actual.key, expected.key) && isAssignable(actual.value, expected.value);
  }
  return actual.kind === expected.kind && actual.name === expected.name;
}

/**
 * isComparable reports whether `==` may compare the two types. Numbers compare across int, uint and
 * double, as CEL's runtime equality does, so `count == 1` also works for a uint parameter.
 */
export function isComparable(a: CelType, b: CelType): boolean {
  if (isNumeric(a) && isNumeric(b)) {
    return true;
  }
  if (a.kind === "list" && b.kind === "list") {
    return isComparable(a.element, b.element);
  }
  if (a.kind === "map" && b.kind === "map") {
    return isComparable(a.key, b.key) && isComparable(a.value, b.value);
  }
  const isNull = (t: CelType) => t.kind === "scalar" && t.name === CelScalar.NULL.name;
  return (
    isAssignable(a, b) || (isNull(a) && b.kind === "object") || (isNull(b) && a.kind === "object")
  );
}
