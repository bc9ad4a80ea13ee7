// The YAML configuration file: parsed with positions, so that a key Latch does not know is named with its line.

import { readFile } from "node:fs/promises";
import { isMap, isNode, isSeq, LineCounter, parseDocument, type YAMLMap } from "yaml";
import { suggestName } from "../schema/suggest.js";

/**
 * FileKeys are the keys a configuration file's mapping may hold. A key mapped to a FileKeys holds
 * a list of mappings with those keys (as `apiKeys` holds `{name, sha256, scopes}`); a key mapped
 * to null holds a value.
 */
export interface FileKeys {
  readonly [key: string]: FileKeys | null;
}

/**
 * readConfigFile reads the YAML mapping at path, adding to problems what Latch cannot use: a file
 * that does not read or parse, a document that is not a mapping, and every key not in keys, as
 * `latch.yaml:2:1: unknown key 'grcpPort' (did you mean 'grpcPort'?)`.
 */
export async function readConfigFile(
  path: string,
  keys: FileKeys,
  problems: string[],
): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    problems.push(`${path}: cannot read: ${(error as Error).message}`);
    return {};
  }
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  if (document.errors.length > 0) {
    for (const error of document.errors) problems.push(`${path}: ${error.message.trimEnd()}`);
    return {};
  }
  const root = document.contents;
  if (root !== null && !isMap(root)) {
    problems.push(`${path}: must be a YAML mapping of settings`);
    return {};
  }
  const unknownKeys = (map: YAMLMap, known: FileKeys, where: string) => {
    for (const { key } of map.items) {
      const name = keyName(key);
      if (Object.hasOwn(known, name)) continue;
      const { line, col } = lines.linePos(isNode(key) ? (key.range?.[0] ?? 0) : 0);
      const candidates = Object.keys(known);
      const suggestion = suggestName(name, candidates);
      const hint =
        suggestion === undefined
          ? `; the keys are ${candidates.join(", ")}`
          : ` (did you mean '${suggestion}'?)`;
      problems.push(`${path}:${line}:${col}: unknown key '${name}'${where}${hint}`);
    }
  };
  if (root === null) return {};
  unknownKeys(root, keys, "");
  for (const { key, value } of root.items) {
    const name = keyName(key);
    const itemKeys = Object.hasOwn(keys, name) ? keys[name] : undefined;
    if (!itemKeys || !isSeq(value)) continue;
    value.items.forEach((item, index) => {
      if (isMap(item)) unknownKeys(item, itemKeys, ` in ${name}[${index}]`);
    });
  }
  return document.toJS() as Record<string, unknown>;
}

function keyName(key: unknown): string {
  return String(isNode(key) ? key.toJSON() : key);
}
