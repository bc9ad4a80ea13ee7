// Reads the YAML of a validation file into its blocks, keeping the position of every entry.

import {
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  type Pair,
  parseDocument,
  type Scalar,
  type YAMLMap,
} from "yaml";
import { textBlockOf, toPlace } from "./text-block.js";
import type {
  AssertionKind,
  AssertionSource,
  ExpectationSource,
  TextBlock,
  ValidationDocument,
} from "./validation-document.js";
import { type Place, type Problem, problemAt } from "./validation-problem.js";

/** ReadResult is the document, or the problems that keep the file from being run. */
export type ReadResult =
  | { readonly ok: true; readonly document: ValidationDocument }
  | { readonly ok: false; readonly problems: readonly Problem[] };

const ASSERTION_KINDS: readonly AssertionKind[] = ["assertTrue", "assertFalse", "assertCaveated"];
const TOP_LEVEL_KEYS = "schema, relationships, assertions or validation";

/**
 * readValidationDocument parses a validation file: YAML with the keys `schema` and
 * `relationships` (strings), `assertions` (lists `assertTrue`, `assertFalse`, `assertCaveated`)
 * and `validation` (a map from `type:id#relation` to a list of expected subjects). YAML errors,
 * values of the wrong shape and unknown keys (usually typos) are problems.
 */
export function readValidationDocument(source: string): ReadResult {
  const lines = new LineCounter();
  const yaml = parseDocument(source, { lineCounter: lines, prettyErrors: false });
  const problems: Problem[] = yaml.errors.map((error) =>
    problemAt(toPlace(lines, error.pos[0]), `invalid YAML: ${error.message}`),
  );
  if (problems.length > 0) return { ok: false, problems };
  const reader = new BlockReader(source, lines, problems);
  const root = yaml.contents;
  let document: ValidationDocument = { assertions: [], expectations: [] };
  if (root !== null && !isMap(root)) {
    reader.fail(root, `a validation file is a map with the keys ${TOP_LEVEL_KEYS}`);
  } else if (root !== null) {
    document = reader.document(root);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, document };
}

class BlockReader {
  constructor(
    private readonly source: string,
    private readonly lines: LineCounter,
    private readonly problems: Problem[],
  ) {}

  document(root: YAMLMap): ValidationDocument {
    let schema: TextBlock | undefined;
    let relationships: TextBlock | undefined;
    let assertions: AssertionSource[] = [];
    let expectations: ExpectationSource[] = [];
    for (const pair of root.items) {
      const key = this.keyOf(pair);
      if (key === undefined) continue;
      const value = pair.value as Node | null;
      switch (key) {
        case "schema":
          schema = this.text(value, "the schema text");
          break;
        case "relationships":
          relationships = this.text(value, "relationships, one a line");
          break;
        case "assertions":
          assertions = this.assertions(value);
          break;
        case "validation":
          expectations = this.expectations(value);
          break;
        case "schemaFile":
          this.fail(pair.key, "schemaFile is not supported: put the schema text under `schema`");
          break;
        default:
          this.fail(pair.key, `unknown key \`${key}\`; expected ${TOP_LEVEL_KEYS}`);
      }
    }
    return { schema, relationships, assertions, expectations };
  }

  private text(value: Node | null, what: string): TextBlock | undefined {
    if (isEmpty(value)) return undefined;
    if (!isScalar(value) || typeof value.value !== "string") {
      this.fail(value, `expected a string: ${what}`);
      return undefined;
    }
    return textBlockOf(value, value.value, this.source, this.lines);
  }

  private assertions(value: Node | null): AssertionSource[] {
    if (isEmpty(value)) return [];
    if (!isMap(value)) {
      this.fail(value, `assertions is a map with the lists ${ASSERTION_KINDS.join(", ")}`);
      return [];
    }
    const found: AssertionSource[] = [];
    for (const pair of value.items) {
      const key = this.keyOf(pair);
      if (key === undefined) continue;
      const kind = ASSERTION_KINDS.find((k) => k === key);
      if (kind === undefined) {
        this.fail(
          pair.key,
          `unknown assertion list \`${key}\`; expected ${ASSERTION_KINDS.join(", ")}`,
        );
        continue;
      }
      for (const item of this.strings(pair.value as Node | null, "an assertion")) {
        found.push({
          kind,
          block: textBlockOf(item, item.value as string, this.source, this.lines),
        });
      }
    }
    return found;
  }

  private expectations(value: Node | null): ExpectationSource[] {
    if (isEmpty(value)) return [];
    if (!isMap(value)) {
      this.fail(
        value,
        "validation is a map from `type:id#relation` to a list of expected subjects",
      );
      return [];
    }
    const found: ExpectationSource[] = [];
    for (const pair of value.items) {
      const key = this.keyOf(pair);
      if (key === undefined) continue;
      const subjects = this.strings(pair.value as Node | null, "an expected subject").map(
        (item) => ({
          text: item.value as string,
          place: this.place(item),
        }),
      );
      found.push({ key, place: this.place(pair.key as Node), subjects });
    }
    return found;
  }

  /** strings reads a list of strings; null (an empty entry) is the empty list. */
  private strings(value: Node | null, what: string): Scalar[] {
    if (isEmpty(value)) return [];
    if (!isSeq(value)) {
      this.fail(value, `expected a list, each item ${what}`);
      return [];
    }
    const items: Scalar[] = [];
    for (const item of value.items as (Node | null)[]) {
      if (isScalar(item) && typeof item.value === "string") items.push(item);
      else this.fail(item ?? value, `expected a string: ${what}`);
    }
    return items;
  }

  private keyOf(pair: Pair): string | undefined {
    const key = pair.key as Node | null;
    if (isScalar(key) && typeof key.value === "string") return key.value;
    this.fail(key, "expected a string key");
    return undefined;
  }

  fail(node: unknown, message: string): void {
    this.problems.push(problemAt(this.place(node), message));
  }

  private place(node: unknown): Place {
    const range = (node as Node | null)?.range;
    return range ? toPlace(this.lines, range[0]) : { line: 1, column: 1 };
  }
}

/** isEmpty is true for a key without a value (`validation:`), which YAML reads as null. */
function isEmpty(node: Node | null): boolean {
  return node === null || (isScalar(node) && node.value === null);
}
