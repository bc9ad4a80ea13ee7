// fast-check generators of SpiceDB caveats for differential tests of CEL: typed parameters, a
// well-typed boolean expression over them, and contexts that make it come out every way.
//
// Well typed as SpiceDB's type checker (cel-go) sees it, which is stricter than CEL at run time:
// - no mixed-type arithmetic or comparison (int with double, int with uint): every binary
//   operator is built from two operands of one type;
// - SpiceDB declares a `uint` parameter to cel-go as an int while binding a uint value, so
//   `p > 0u` is refused as (int, uint), `p + 1` type-checks but fails at run time ("no such
//   overload"), and `p == 1` works (equality crosses numeric types at run time). A uint parameter is
//   only ever compared with `==`/`!=` to an int literal; uint arithmetic, comparison and
//   conversion use `uint(...)` and `3u` literals instead;
// - every declared parameter is used: SpiceDB refuses a caveat with an unused parameter.
// Everything is built from a tape of numbers (see choice-tape.ts), its simplest options first, so
// a failing case shrinks to a small expression over few parameters.

import fc from "fast-check";
import {
  SCALAR_CAVEAT_TYPES,
  type ScalarCaveatTypeName,
} from "../../src/schema/caveat/caveat-type.js";
import { type Chooser, createChooser } from "./choice-tape.js";

/**
 * CelParameterType lists the parameter types generated caveats declare: every scalar but `any`
 * (whose values CEL compares across types at run time, which the type checker cannot follow),
 * and lists and maps of ints and strings.
 */
export type CelParameterType =
  | Exclude<ScalarCaveatTypeName, "any">
  | "list<int>"
  | "list<string>"
  | "map<int>"
  | "map<string>";

/** CEL_PARAMETER_TYPES lists every {@link CelParameterType}, the scalars first (in the schema's order). */
export const CEL_PARAMETER_TYPES: readonly CelParameterType[] = [
  ...SCALAR_CAVEAT_TYPES.filter(
    (type): type is Exclude<ScalarCaveatTypeName, "any"> => type !== "any",
  ),
  "list<int>",
  "list<string>",
  "map<int>",
  "map<string>",
];

/** CelParameter is a caveat parameter: `p0` to `p3`. */
export interface CelParameter {
  readonly name: string;
  readonly type: CelParameterType;
}

/** CelCaveat is a generated caveat: its parameters, each used, and its boolean expression. */
export interface CelCaveat {
  readonly parameters: readonly CelParameter[];
  readonly expression: string;
}

/**
 * CelCaveatCase is a caveat with the contexts to evaluate it in: those of the relationships that
 * carry it, and those of the requests that check them (every request against every relationship).
 */
export interface CelCaveatCase {
  readonly caveat: CelCaveat;
  readonly relationshipContexts: readonly Record<string, unknown>[];
  readonly requestContexts: readonly Record<string, unknown>[];
}

/** CelCaveatCaseOptions say how many contexts of each kind a case has. */
export interface CelCaveatCaseOptions {
  readonly relationshipContexts?: number;
  readonly requestContexts?: number;
}

/**
 * The most numbers a tape holds, about twice what one case in twenty reads (a case, expression
 * and contexts, reads about 35). Past a tape's end every number is 0, and the rest of the case
 * takes the simplest options. Tapes are of any length up to this, so that shrinking cuts them
 * short rather than shrink each number.
 */
const TAPE_LENGTH = 160;
const MAX_DEPTH = 4;
const MAX_PARAMETERS = 4;

/**
 * celCaveat generates a caveat with one to four parameters and a well-typed boolean expression of
 * depth one to four over them (see the file's comment for what "well typed" keeps out).
 */
export const celCaveat: fc.Arbitrary<CelCaveat> = tape().map((numbers) =>
  buildCaveat(createChooser(numbers)),
);

/**
 * celCaveatCase generates a caveat (as {@link celCaveat}) with relationship contexts (two by
 * default), which give each parameter now and then, and request contexts (four by default), which
 * usually give it and sometimes give a value of the wrong type.
 * Where both give a parameter the values often differ, so the test sees which one counts.
 */
export function celCaveatCase(options: CelCaveatCaseOptions = {}): fc.Arbitrary<CelCaveatCase> {
  return tape().map((numbers) => {
    const choose = createChooser(numbers);
    const caveat = buildCaveat(choose);
    const relationshipContexts = Array.from({ length: options.relationshipContexts ?? 2 }, () =>
      buildContext(choose, caveat.parameters, "relationship"),
    );
    const requestContexts = Array.from({ length: options.requestContexts ?? 4 }, () =>
      buildContext(choose, caveat.parameters, "request"),
    );
    return { caveat, relationshipContexts, requestContexts };
  });
}

/** caveatDeclaration writes a generated caveat as a schema declares it, under `name`. */
export function caveatDeclaration(name: string, caveat: CelCaveat): string {
  const parameters = caveat.parameters.map((p) => `${p.name} ${p.type}`).join(", ");
  return `caveat ${name}(${parameters}) {\n  ${caveat.expression}\n}`;
}

function tape(): fc.Arbitrary<number[]> {
  return fc.array(fc.nat({ max: 0xffff }), { maxLength: TAPE_LENGTH, size: "max" });
}

// Literals, written as CEL source. Small domains, so comparisons with context values go both ways.

const INT_LITERALS = ["1", "0", "2", "3", "-1", "7", "9223372036854775807", "-9223372036854775807"];
const UINT_LITERALS = ["1u", "0u", "3u", "18446744073709551615u"];
const DOUBLE_LITERALS = ["0.5", "0.0", "1.0", "-2.5", "1e6", "1e20", "1e-5", "123456.0"];
/** Non-ASCII on both sides of the UTF-16 surrogates: code-point order differs from UTF-16 order. */
const STRING_LITERALS = [
  '"a"',
  '""',
  '"red"',
  '"abc"',
  '"é"',
  '"\\u00e9"',
  '"😀"',
  '"\\U0001F600"',
  '"\\uffff"',
  '"A"',
  '"1"',
];
const BYTES_LITERALS = ['b"abc"', 'b""', 'b"\\xff"', 'b"\\303\\251"', 'b"a"'];
const LIST_INT_LITERALS = ["[1, 2, 3]", "[0]", "[-1, 7, 7]"];
const LIST_STRING_LITERALS = ['["red", "é"]', '["a"]', '["\\uffff", "😀", "a"]'];
const MAP_INT_LITERALS = ['{"red": 1, "blue": 0}', '{"green": -1}'];
const MAP_STRING_LITERALS = ['{"red": "a", "green": "é"}', '{"blue": ""}'];
/** Strings for int(), uint() and double(): Go's parsers accept some of these and refuse others. */
const NUMERIC_STRINGS = [
  "1",
  "0",
  "-1",
  "42",
  "",
  " 1",
  "+1",
  "0x10",
  "1e3",
  "1.5",
  ".5",
  "5.",
  "inf",
  "-Inf",
  "NaN",
  "1_000",
  "007",
  "9223372036854775807",
  "9223372036854775808",
  "-9223372036854775808",
  "18446744073709551615",
  "18446744073709551616",
];
const BOOL_STRINGS = ["true", "false", "t", "F", "T", "f", "1", "0", "TRUE", "False", "yes", ""];
/** Go duration strings, valid first: `duration(s)` is built from these. */
const VALID_DURATIONS = ["90m", "1h30m", "1.5s", "500ms", "0s", "-1h", "1.5µs", "2562047h"];
const DURATION_STRINGS = [...VALID_DURATIONS, "", "1d", "1", "+5s", "87600000h", "1h 30m"];
/**
 * UTC timestamps only: `string(t)` keeps the offset a timestamp was parsed with, so it is only
 * built from these (the timestamps of contexts are UTC too).
 */
const UTC_TIMESTAMPS = [
  "2025-06-01T08:59:59Z",
  "2025-06-01T09:00:00.5Z",
  "2025-12-31T23:30:00Z",
  "1970-01-01T00:00:00Z",
  "2025-06-01T08:59:59.123456789Z",
  "9999-12-31T23:59:59Z",
  "0001-01-01T00:00:00Z",
];
const OFFSET_TIMESTAMPS = ["2025-06-01T10:59:59+02:00", "2025-06-01T08:59:59-05:30"];
/** Any timestamp strings: with an offset, at the limits, and invalid. */
const TIMESTAMP_STRINGS = [
  "2025-06-01T08:59:59Z",
  "9999-12-31T23:59:59Z",
  ...OFFSET_TIMESTAMPS,
  "2025-06-01",
  "2025-06-01T08:59:60Z",
  "2025-06-01 08:59:59Z",
];
const ZONES = ['"UTC"', '"America/New_York"', '"+05:30"', '"-08:00"', '"Asia/Kolkata"'];
const TIMESTAMP_ACCESSORS = [
  "getHours",
  "getMinutes",
  "getSeconds",
  "getMilliseconds",
  "getDayOfWeek",
  "getFullYear",
  "getMonth",
  "getDayOfYear",
  "getDayOfMonth",
  "getDate",
];
const DURATION_ACCESSORS = ["getHours", "getMinutes", "getSeconds", "getMilliseconds"];
/** RE2 patterns, one invalid: `matches` fails on it at run time. */
const PATTERNS = ['"^[a-c]+$"', '"é"', '"^.$"', '"[0-9]"', '"^$"', '"😀|red"', '"\\\\w"', '"("'];
const CIDRS = [
  '"10.0.0.0/8"',
  '"192.168.0.0/16"',
  '"::1/128"',
  '"2001:db8::/32"',
  '"0.0.0.0/0"',
  '"::/0"',
  '"10.1.2.3/32"',
  '"bad"',
];
/** Map keys of literals and contexts; `has(m.k)` asks for these. */
const KEYS = ["red", "green", "blue"];
const LISTS: readonly ExprType[] = ["list<int>", "list<string>"];
const ITERABLE: readonly ExprType[] = [...LISTS, "map<int>", "map<string>"];
const ORDERED_TYPES: readonly ExprType[] = [
  "int",
  "double",
  "string",
  "timestamp",
  "duration",
  "bytes",
  "uint",
];
const EQUATABLE: readonly ExprType[] = [
  "bool",
  "list<int>",
  "list<string>",
  "map<int>",
  "map<string>",
];
const SIZED: readonly ExprType[] = ["string", "bytes", "list<int>", "list<string>", "map<int>"];
/** The types string() converts; a timestamp only offset-free (see UTC_TIMESTAMPS). */
const STRINGABLE: readonly ExprType[] = [
  "int",
  "uint",
  "double",
  "bool",
  "bytes",
  "duration",
  "utc",
];
const STRING_TESTS = ["contains", "startsWith", "endsWith"];
const COMPARISONS = ["==", "!=", "<", "<=", ">", ">="];

/** ExprType is the type of a generated subexpression; `utc` is a timestamp parsed without offset. */
type ExprType = Exclude<CelParameterType, "ipaddress"> | "utc";

/** Local is a macro's variable: a list's element or a map's key. */
interface Local {
  readonly name: string;
  readonly type: "int" | "string";
}

function buildCaveat(choose: Chooser): CelCaveat {
  const count = choose.between(1, MAX_PARAMETERS);
  const declared = Array.from({ length: count }, (_, i) => ({
    name: `p${i}`,
    // Plain scalars first: a shrunk tape declares ints.
    type: choose.pick(CEL_PARAMETER_TYPES),
  }));
  const depth = choose.between(1, MAX_DEPTH);
  let expression = new ExpressionBuilder(choose, declared).expr("bool", depth, []);
  let parameters = declared.filter((p) => new RegExp(`\\b${p.name}\\b`).test(expression));
  if (parameters.length === 0) {
    // Every parameter must be used: anchor the first one.
    const first = declared[0]!;
    expression = `${anchor(first)} || ${expression}`;
    parameters = [first];
  }
  return { parameters, expression };
}

/**
 * anchor is a simple condition on a parameter that SpiceDB's type checker takes for its type: for
 * an expression that used none, or one that must use a parameter whatever its type.
 */
export function anchor({ name, type }: CelParameter): string {
  switch (type) {
    case "int":
    case "uint":
      return `${name} == 1`;
    case "double":
      return `${name} > 0.5`;
    case "bool":
      return name;
    case "string":
      return `${name} < "b"`;
    case "bytes":
      return `size(${name}) > 1`;
    case "duration":
      return `${name} > duration("1h")`;
    case "timestamp":
      return `${name}.getHours() > 8`;
    case "ipaddress":
      return `${name}.in_cidr("10.0.0.0/8")`;
    case "list<int>":
    case "list<string>":
    case "map<int>":
    case "map<string>":
      return `size(${name}) > 1`;
  }
}

type Option = readonly [number, () => string];

/** Node holds what the productions of one expression node write their operands with. */
interface Node {
  readonly type: ExprType;
  readonly locals: readonly Local[];
  /** sub writes an operand of `type`, a level deeper, with `extra` locals in scope. */
  sub(type: ExprType, extra?: readonly Local[]): string;
  /** variable names a macro's variable after the depth, so nested macros never shadow. */
  readonly variable: string;
}

/** ExpressionBuilder writes expressions of a type, over the parameters, from a chooser. */
class ExpressionBuilder {
  constructor(
    private readonly choose: Chooser,
    private readonly parameters: readonly CelParameter[],
  ) {}

  /** expr writes an expression of `type`, at most `depth` operators deep; leaves at depth 0. */
  expr(type: ExprType, depth: number, locals: readonly Local[]): string {
    const leaf = (): string => this.leaf(type, locals);
    if (depth <= 0) return leaf();
    const node: Node = {
      type,
      locals,
      sub: (t, extra = []) => this.expr(t, depth - 1, [...locals, ...extra]),
      variable: `x${depth}`,
    };
    return this.choose.weighted([2, leaf], ...this.productions(node));
  }

  /**
   * leaf writes an operand without operators of its own: a variable, a parameter of another type
   * taken to this one (`size(p1)`, `string(p0)`, `p2 > 1`), or a literal. Parameters come first,
   * so that most operands read the context.
   */
  private leaf(type: ExprType, locals: readonly Local[]): string {
    const { pick } = this.choose;
    const names = this.variables(type, locals);
    const derived = this.parameters.flatMap((p) => {
      const make = derive(type, p, this.choose);
      return make === undefined ? [] : [make];
    });
    const options: Option[] = [];
    if (names.length > 0) options.push([3, () => pick(names)]);
    if (derived.length > 0) options.push([3, () => pick(derived)()]);
    options.push([1, () => pick(literals(type))]);
    return this.choose.weighted(...options);
  }

  /** reads says whether a leaf of `type` can read a local or a parameter. */
  private reads(type: ExprType, locals: readonly Local[]): boolean {
    return (
      this.variables(type, locals).length > 0 ||
      this.parameters.some((p) => derive(type, p, this.choose) !== undefined)
    );
  }

  /** The locals and parameters usable as a `type` value: never a uint parameter (see above). */
  private variables(type: ExprType, locals: readonly Local[]): string[] {
    const wanted = type === "utc" ? "timestamp" : type;
    const fromLocals = locals.filter((l) => l.type === wanted).map((l) => l.name);
    if (wanted === "uint") return fromLocals;
    // Locals first, and twice: a macro's body is about its variable.
    const params = this.parameters.filter((p) => p.type === wanted).map((p) => p.name);
    return [...fromLocals, ...fromLocals, ...params];
  }

  /** The productions of a node of its type, each with its weight. */
  private productions(node: Node): Option[] {
    const { pick } = this.choose;
    const { type, sub } = node;
    const binary = (t: ExprType, ops: readonly string[]) => (): string =>
      `(${sub(t)} ${pick(ops)} ${sub(t)})`;
    const ternary = (): string => `(${sub("bool")} ? ${sub(type)} : ${sub(type)})`;
    const index = (): string =>
      this.choose.weighted([3, () => pick(["0", "1", "2", "-1"])], [1, () => sub("int")]);
    const key = (): string =>
      this.choose.weighted(
        [3, () => JSON.stringify(pick([...KEYS, "é"]))],
        [1, () => sub("string")],
      );
    const numeric = (): string => this.stringFrom(NUMERIC_STRINGS, node);
    switch (type) {
      case "bool":
        return this.boolProductions(node);
      case "int":
        return [
          [5, binary("int", ["+", "-", "*", "/", "%"])],
          [1, () => `(-${sub("int")})`],
          [2, () => `size(${sub(pick(SIZED))})`],
          [1, () => `int(${sub("double")})`],
          [1, () => `int(${sub("uint")})`],
          [2, () => `int(${numeric()})`],
          [1, () => `int(${sub("timestamp")})`],
          [1, () => `${sub("list<int>")}[${index()}]`],
          [1, () => `${sub("map<int>")}[${key()}]`],
          [4, () => this.accessor(node)],
          [1, () => `${sub("duration")}.${pick(DURATION_ACCESSORS)}()`],
          [
            1,
            this.iterate(
              node,
              (local) => `filter(${local.name}, ${sub("bool", [local])}).size()`,
              LISTS,
            ),
          ],
          [1, ternary],
        ];
      case "uint":
        return [
          [2, binary("uint", ["+", "-", "*", "/", "%"])],
          [2, () => `uint(${sub("int")})`],
          [1, () => `uint(${sub("double")})`],
          [1, () => `uint(${numeric()})`],
          [1, ternary],
        ];
      case "double":
        return [
          [3, binary("double", ["+", "-", "*", "/"])],
          [1, () => `(-${sub("double")})`],
          [2, () => `double(${sub("int")})`],
          [1, () => `double(${sub("uint")})`],
          [2, () => `double(${numeric()})`],
          [1, ternary],
        ];
      case "string":
        return [
          [2, binary("string", ["+"])],
          [4, () => `string(${sub(pick(STRINGABLE))})`],
          [1, () => `${sub("list<string>")}[${index()}]`],
          [1, () => `${sub("map<string>")}[${key()}]`],
          [1, ternary],
        ];
      case "bytes":
        // No `+`: SpiceDB 1.54's cel-go appends bytes into their operand's spare room, so
        // `p + p == p + b"\xff"` is true for p = b"a" (both sums end up "a\xff").
        return [
          [2, () => `bytes(${sub("string")})`],
          [1, ternary],
        ];
      case "duration":
        return [
          [2, () => `duration(${this.stringFrom(DURATION_STRINGS, node)})`],
          [2, binary("duration", ["+", "-"])],
          [1, () => `(${sub("timestamp")} - ${sub("timestamp")})`],
          [1, ternary],
        ];
      case "timestamp":
      case "utc": {
        // Only offset-free strings make a `utc` timestamp; any string makes a timestamp.
        const parsed = (): string =>
          type === "utc"
            ? JSON.stringify(pick(UTC_TIMESTAMPS))
            : this.stringFrom(TIMESTAMP_STRINGS, node);
        return [
          [2, () => `timestamp(${parsed()})`],
          [1, () => `timestamp(${sub("int")})`],
          [2, () => `(${sub(type)} ${pick(["+", "-"])} ${sub("duration")})`],
          [1, () => `(${sub("duration")} + ${sub(type)})`],
          [1, ternary],
        ];
      }
      case "list<int>":
      case "list<string>": {
        const element = type === "list<int>" ? "int" : "string";
        const local: Local = { name: node.variable, type: element };
        const mapped = (l: Local): string => `map(${l.name}, ${sub(element, [l])})`;
        return [
          [1, binary(type, ["+"])],
          [1, () => `[${sub(element)}, ${sub(element)}]`],
          [1, this.iterate(node, mapped, LISTS)],
          [1, () => `${sub(type)}.filter(${local.name}, ${sub("bool", [local])})`],
          [1, ternary],
        ];
      }
      case "map<int>":
      case "map<string>": {
        const value = type === "map<int>" ? "int" : "string";
        return [
          [1, () => `{${JSON.stringify(pick(KEYS))}: ${sub(value)}}`],
          [1, ternary],
        ];
      }
    }
  }

  private boolProductions(node: Node): Option[] {
    const { pick } = this.choose;
    const { sub } = node;
    const params = (type: CelParameterType) =>
      this.parameters.filter((p) => p.type === type).map((p) => p.name);
    const ips = params("ipaddress");
    const uints = params("uint");
    const maps = [...params("map<int>"), ...params("map<string>")];
    // Types an operand can read a variable of are compared more often, so expressions read their
    // context.
    const compared = (): ExprType =>
      this.choose.weighted(
        ...ORDERED_TYPES.map((t) => [this.reads(t, node.locals) ? 4 : 1, () => t] as const),
      );
    const options: Option[] = [
      [
        8,
        () => {
          const t = compared();
          return `(${sub(t)} ${pick(COMPARISONS)} ${sub(t)})`;
        },
      ],
      [3, () => `(${sub("bool")} && ${sub("bool")})`],
      [3, () => `(${sub("bool")} || ${sub("bool")})`],
      [1, () => `!${sub("bool")}`],
      [1, () => `(${sub("bool")} ? ${sub("bool")} : ${sub("bool")})`],
      [
        1,
        () => {
          const t = pick(EQUATABLE);
          return `(${sub(t)} ${pick(["==", "!="])} ${sub(t)})`;
        },
      ],
      // Accessors also here, not only among the int operands, so that every one is often seen.
      [2, () => `(${this.accessor(node)} ${pick(COMPARISONS)} ${sub("int")})`],
      [1, () => `(${sub("int")} in ${sub("list<int>")})`],
      [1, () => `(${sub("string")} in ${sub("list<string>")})`],
      [1, () => `(${sub("string")} in ${sub(pick(["map<int>", "map<string>"] as const))})`],
      [2, () => `${sub("string")}.${pick(STRING_TESTS)}(${sub("string")})`],
      [1, () => `${sub("string")}.matches(${pick(PATTERNS)})`],
      [1, () => `bool(${this.stringFrom(BOOL_STRINGS, node)})`],
      [2, this.iterate(node, (l) => `${pick(["exists", "all"])}(${l.name}, ${sub("bool", [l])})`)],
      [1, this.iterate(node, (l) => `exists_one(${l.name}, ${sub("bool", [l])})`, LISTS)],
    ];
    if (ips.length > 0) options.push([3, () => `${pick(ips)}.in_cidr(${pick(CIDRS)})`]);
    if (maps.length > 0) options.push([2, () => `has(${pick(maps)}.${pick(KEYS)})`]);
    if (uints.length > 0) {
      options.push([3, () => `(${pick(uints)} ${pick(["==", "!="])} ${pick(["1", "0", "5"])})`]);
    }
    return options;
  }

  /**
   * iterate writes a macro call on a list or map of `sources`, its variable in scope of the body.
   * Go iterates a map's keys in no set order, so only the macros whose answer cannot depend on
   * the order iterate maps: exists and all, whose || and && are commutative, errors and unknowns
   * included. The others iterate lists alone: the lists map() and filter() make keep the order,
   * and exists_one and a filter's size fold with `?:`, where whichever of an error and an unknown
   * comes first wins.
   */
  private iterate(
    node: Node,
    call: (local: Local) => string,
    sources: readonly ExprType[] = ITERABLE,
  ): () => string {
    return () => {
      const source = this.choose.pick(sources);
      const local: Local = { name: node.variable, type: source === "list<int>" ? "int" : "string" };
      return `${node.sub(source)}.${call(local)}`;
    };
  }

  /** stringFrom writes a string operand for a conversion: mostly one of `pool`, else any. */
  private stringFrom(pool: readonly string[], node: Node): string {
    const { pick, weighted } = this.choose;
    return weighted([3, () => JSON.stringify(pick(pool))], [1, () => node.sub("string")]);
  }

  /** accessor reads a part of a timestamp, in UTC or in a zone (a name or an offset). */
  private accessor(node: Node): string {
    const { pick, weighted } = this.choose;
    const zone = weighted([1, () => ""], [1, () => pick(ZONES)]);
    return `${node.sub("timestamp")}.${pick(TIMESTAMP_ACCESSORS)}(${zone})`;
  }
}

/** literals lists the literals of a type, as CEL source. */
function literals(type: ExprType): readonly string[] {
  switch (type) {
    case "bool":
      return ["true", "false"];
    case "int":
      return INT_LITERALS;
    case "uint":
      return UINT_LITERALS;
    case "double":
      return DOUBLE_LITERALS;
    case "string":
      return STRING_LITERALS;
    case "bytes":
      return BYTES_LITERALS;
    case "duration":
      return VALID_DURATIONS.map((d) => `duration("${d}")`);
    case "timestamp":
      return [...UTC_TIMESTAMPS.slice(0, 3), ...OFFSET_TIMESTAMPS].map((t) => `timestamp("${t}")`);
    case "utc":
      return UTC_TIMESTAMPS.slice(0, 3).map((t) => `timestamp("${t}")`);
    case "list<int>":
      return LIST_INT_LITERALS;
    case "list<string>":
      return LIST_STRING_LITERALS;
    case "map<int>":
      return MAP_INT_LITERALS;
    case "map<string>":
      return MAP_STRING_LITERALS;
  }
}

/**
 * derive returns how to write a `type` operand from parameter `p` of another type, in one step,
 * or undefined when there is no such step. A uint parameter is only compared with an int
 * literal (see the file's comment).
 */
function derive(type: ExprType, p: CelParameter, choose: Chooser): (() => string) | undefined {
  const { pick } = choose;
  const { name } = p;
  const index = () => pick(["0", "1", "-1"]);
  const key = () => JSON.stringify(pick([...KEYS, "é"]));
  const compared = (pool: readonly string[]) => () =>
    `(${name} ${pick(COMPARISONS)} ${pick(pool)})`;
  switch (type) {
    case "bool":
      switch (p.type) {
        case "int":
          return compared(INT_LITERALS);
        case "double":
          return compared(DOUBLE_LITERALS);
        case "string":
          return compared(STRING_LITERALS);
        case "bytes":
          return compared(BYTES_LITERALS);
        case "duration":
          return compared(VALID_DURATIONS.map((d) => `duration("${d}")`));
        case "timestamp":
          return compared(UTC_TIMESTAMPS.map((t) => `timestamp("${t}")`));
        case "uint":
          return () => `(${name} ${pick(["==", "!="])} ${pick(["1", "0", "5"])})`;
        case "bool":
          return () => pick([name, `!${name}`]);
        case "ipaddress":
          return () => `${name}.in_cidr(${pick(CIDRS)})`;
        case "list<int>":
          return () => `(${pick(["1", "0", "5"])} in ${name})`;
        case "list<string>":
          return () => `(${pick(STRING_LITERALS)} in ${name})`;
        case "map<int>":
        case "map<string>":
          return () => pick([`has(${name}.${pick(KEYS)})`, `(${key()} in ${name})`]);
      }
      return undefined;
    case "int":
      switch (p.type) {
        case "string":
          return () => pick([`size(${name})`, `int(${name})`]);
        case "bytes":
        case "list<int>":
        case "list<string>":
        case "map<int>":
        case "map<string>":
          return () => `size(${name})`;
        case "double":
          return () => `int(${name})`;
        case "timestamp":
          return () => `${name}.${pick(TIMESTAMP_ACCESSORS)}(${pick(["", ...ZONES])})`;
        case "duration":
          return () => `${name}.${pick(DURATION_ACCESSORS)}()`;
      }
      return undefined;
    case "uint":
      return p.type === "int" || p.type === "double" || p.type === "string"
        ? () => `uint(${name})`
        : undefined;
    case "double":
      return p.type === "int" || p.type === "string" ? () => `double(${name})` : undefined;
    case "string":
      switch (p.type) {
        case "int":
        case "double":
        case "bool":
        case "bytes":
        case "duration":
        case "timestamp":
          return () => `string(${name})`;
        case "list<string>":
          return () => `${name}[${index()}]`;
        case "map<string>":
          return () => `${name}[${key()}]`;
      }
      return undefined;
    case "bytes":
      return p.type === "string" ? () => `bytes(${name})` : undefined;
    case "duration":
      if (p.type === "string") return () => `duration(${name})`;
      if (p.type === "timestamp") return () => `(${name} - timestamp("${pick(UTC_TIMESTAMPS)}"))`;
      return undefined;
    case "timestamp":
      return p.type === "int" || p.type === "string" ? () => `timestamp(${name})` : undefined;
    case "utc":
      return p.type === "int" ? () => `timestamp(${name})` : undefined;
    // Not from maps: the list map() makes of one is in Go's (random) key order.
    case "list<int>":
      return p.type === "list<string>" ? () => `${name}.map(e, size(e))` : undefined;
    case "list<string>":
      return p.type === "list<int>" ? () => `${name}.map(e, string(e))` : undefined;
    case "map<int>":
    case "map<string>":
      return undefined;
  }
}

// Context values, as JSON: what a request's Struct or a relationship's context carries.

const INTS = [1, 0, 2, 3, -1, 5, -2];
/** Near the int64 limits, as decimal strings (a JSON number cannot hold them), to overflow. */
const INT_EDGES = [
  "9223372036854775807",
  "-9223372036854775808",
  "4611686018427387904",
  "-4611686018427387904",
  3037000500,
  253402300799,
];
const DOUBLES = [0.5, 0, 2.5, -2.5, 1e6, 1e20, 1e-5, 123456, 100000];
const STRINGS = [
  "a",
  "",
  "red",
  "abc",
  "é",
  "e\u0301",
  "\uffff",
  "😀",
  "A",
  "1",
  " 1",
  "+1",
  "0x10",
  "1e3",
  "inf",
  "1_000",
  "9223372036854775808",
  "true",
  "t",
  "90m",
  "2025-06-01T08:59:59Z",
  "2025-06-01T10:59:59+02:00",
];
/** Base64 of "abc", "", 0xff (not UTF-8), "é" and "a". */
const BYTES = ["YWJj", "", "/w==", "w6k=", "YQ=="];
const TIMESTAMPS = [
  "2025-06-01T08:59:59Z",
  "2025-06-01T09:00:00Z",
  "2025-06-01T16:59:59.999Z",
  "2025-12-31T23:30:00Z",
  "2026-01-01T00:00:00.5Z",
  "1970-01-01T00:00:00Z",
  "9999-12-31T23:59:59Z",
];
const IPS = ["10.1.2.3", "192.168.0.1", "::1", "2001:db8::1", "::ffff:10.1.2.3", "8.8.8.8"];
const CONTEXT_KEYS = [...KEYS, "é"];
/** Values of the wrong type for a parameter: both SpiceDB and Latch refuse them. */
const ILL_TYPED: Readonly<Record<CelParameterType, readonly unknown[]>> = {
  int: ["x", 1.5, true, " 1", "0x10"],
  uint: [-1, "x", 1.5],
  double: ["x", true],
  bool: ["true", 1],
  string: [1, true],
  bytes: ["abc", 1],
  duration: ["1", 90, "1d"],
  timestamp: ["2025-06-01", "2025-06-01 08:59:59Z", 0],
  ipaddress: ["10.1.2.3/8", "x"],
  "list<int>": [[1.5], "1", ["x"]],
  "list<string>": [[1], "a"],
  "map<int>": [{ red: "x" }, [1]],
  "map<string>": [{ red: 1 }, "a"],
};
/** Where a context is given: relationships give parameters now and then, requests usually. */
type ContextSite = "relationship" | "request";

function buildContext(
  choose: Chooser,
  parameters: readonly CelParameter[],
  site: ContextSite,
): Record<string, unknown> {
  const context: Record<string, unknown> = {};
  for (const { name, type } of parameters) {
    // The likelier option first: a tape cut short gives requests every parameter, and
    // relationships none.
    const given =
      site === "relationship"
        ? choose.weighted([3, () => false], [1, () => true])
        : choose.weighted([4, () => true], [1, () => false]);
    if (given) {
      context[name] = site === "relationship" ? value(choose, type) : requestValue(choose, type);
    }
  }
  return context;
}

function requestValue(choose: Chooser, type: CelParameterType): unknown {
  const { pick, weighted } = choose;
  return weighted([24, () => value(choose, type)], [1, () => pick(ILL_TYPED[type])]);
}

/** value is a well-typed JSON value of a parameter type. */
function value(choose: Chooser, type: CelParameterType): unknown {
  const { pick, weighted, between } = choose;
  switch (type) {
    case "int":
      return weighted([4, () => pick(INTS)], [1, () => pick(INT_EDGES)]);
    case "uint":
      return pick([1, 0, 5, "18446744073709551615"]);
    case "double":
      return pick(DOUBLES);
    case "bool":
      return choose.bool();
    case "string":
      return pick(STRINGS);
    case "bytes":
      return pick(BYTES);
    case "duration":
      return pick(VALID_DURATIONS);
    case "timestamp":
      return pick(TIMESTAMPS);
    case "ipaddress":
      return pick(IPS);
    case "list<int>":
    case "list<string>": {
      const element = type === "list<int>" ? "int" : "string";
      return Array.from({ length: between(0, 3) }, () => value(choose, element));
    }
    case "map<int>":
    case "map<string>": {
      const element = type === "map<int>" ? "int" : "string";
      const keys = choose.subset(CONTEXT_KEYS, 0, 3);
      return Object.fromEntries(keys.map((k) => [k, value(choose, element)]));
    }
  }
}
