// The alert rule file: YAML read with positions, so that every problem is named with its line and column.

import { readFile } from "node:fs/promises";
import {
  isMap,
  isNode,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  type YAMLMap,
} from "yaml";
import {
  DECISION_RESULTS,
  type DecisionResult,
  type DenialReasonName,
} from "../decisions/decision-record.js";
import { parseGoDuration } from "../schema/caveat/go-duration.js";
import { suggestName } from "../schema/suggest.js";
import { checkObjectType, checkRelation, explain } from "../tuple/identifiers.js";
import { parseObjectRef } from "../tuple/parse-ref.js";
import type {
  AlertRule,
  AlertRules,
  CountPer,
  RuleCondition,
  RuleMatch,
  Webhook,
} from "./alert-rule.js";

/** MAX_RULES bounds a file's rules; MAX_COUNT a count condition's count. */
const MAX_RULES = 1000;
const MAX_COUNT = 1_000_000;
/** The longest window a count condition may have: a day. */
const MAX_WINDOW_MS = 86_400_000;
/** The longest suspension an alert may impose: 30 days. */
const MAX_SUSPEND_MS = 30 * 86_400_000;
const RULE_NAME = /^[a-z][a-z0-9_-]{0,62}$/;
const ENV_NAME = /^[A-Z_][A-Z0-9_]{0,127}$/;
const REASONS: readonly DenialReasonName[] = [
  "no_permission",
  "not_delegated",
  "suspended",
  "condition_false",
];
const TOP_KEYS = ["webhooks", "rules"];
const RULE_KEYS = ["name", "match", "condition", "webhook", "suspend"];
const MATCH_KEYS = ["subject", "actor", "resource", "permission", "result", "reason"];
const COUNT_KEYS = ["count", "within", "per"];
const WEBHOOK_KEYS = ["url", "secret_env"];
const SUSPEND_KEYS = ["for"];

/** AlertRulesError is a rule file Latch refuses: every problem, as `file:line:column: message`. */
export class AlertRulesError extends Error {
  readonly code = "invalid_alert_rules";
  constructor(readonly problems: readonly string[]) {
    super(`invalid alert rules:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "AlertRulesError";
  }
}

/** readAlertRules reads and checks the rule file at path; see {@link parseAlertRules}. */
export async function readAlertRules(path: string): Promise<AlertRules> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new AlertRulesError([`${path}: cannot read: ${(error as Error).message}`]);
  }
  return parseAlertRules(text, path);
}

/**
 * parseAlertRules checks the rule file text (named source in messages) and returns its rules, or
 * throws an AlertRulesError listing every problem: unknown keys (with a suggestion), bad values,
 * bad durations, webhook URLs that are not http(s), rules naming a webhook the file lacks.
 * Webhook secrets are not read here: see {@link webhookSecrets}.
 */
export function parseAlertRules(text: string, source: string): AlertRules {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  if (document.errors.length > 0) {
    throw new AlertRulesError(document.errors.map((e) => `${source}: ${e.message.trimEnd()}`));
  }
  const problems: string[] = [];
  const report = (node: unknown, message: string) => {
    const offset = isNode(node) ? (node.range?.[0] ?? 0) : 0;
    const { line, col } = lines.linePos(offset);
    problems.push(`${source}:${line}:${col}: ${message}`);
  };
  const reader = new NodeReader(report);
  const root = document.contents;
  const top = reader.map(root, "the file", TOP_KEYS);
  const webhooks = new Map<string, Webhook>();
  const hooks = top?.get("webhooks");
  if (hooks !== undefined) {
    if (!isMap(hooks)) report(hooks, "webhooks: a mapping of webhook names to {url, secret_env}");
    else {
      for (const { key, value } of hooks.items) {
        const name = String(isNode(key) ? key.toJSON() : key);
        const webhook = readWebhook(reader, name, value);
        if (webhook !== undefined) webhooks.set(name, webhook);
      }
    }
  }
  const rules: AlertRule[] = [];
  const list = top?.get("rules");
  if (list === undefined) report(root, "rules: required, a list of rules");
  else if (!isSeq(list)) report(list, "rules: a list of rules");
  else if (list.items.length > MAX_RULES) report(list, `rules: at most ${MAX_RULES}`);
  else {
    const names = new Set<string>();
    for (const item of list.items) {
      const rule = readRule(reader, item, webhooks);
      if (rule === undefined) continue;
      if (names.has(rule.name)) report(item, `rule '${rule.name}': a second rule of that name`);
      names.add(rule.name);
      rules.push(rule);
    }
  }
  if (problems.length > 0) throw new AlertRulesError(problems);
  return { rules, webhooks };
}

/**
 * webhookSecrets reads each webhook's secret from the environment variable its `secret_env`
 * names, throwing an AlertRulesError for each one not set (or empty).
 */
export function webhookSecrets(
  rules: AlertRules,
  env: Readonly<Record<string, string | undefined>>,
): ReadonlyMap<string, Buffer> {
  const secrets = new Map<string, Buffer>();
  const problems: string[] = [];
  for (const webhook of rules.webhooks.values()) {
    const value = env[webhook.secretEnv];
    if (value === undefined || value === "") {
      problems.push(
        `webhook '${webhook.name}': its secret_env ${webhook.secretEnv} is not set in the environment`,
      );
    } else secrets.set(webhook.name, Buffer.from(value, "utf8"));
  }
  if (problems.length > 0) throw new AlertRulesError(problems);
  return secrets;
}

/** NodeReader reads typed values out of YAML nodes, reporting what is wrong where it is. */
class NodeReader {
  constructor(readonly report: (node: unknown, message: string) => void) {}

  /** map reads a mapping with only keys among known, by key name; undefined (reported) otherwise. */
  map(node: unknown, what: string, known: readonly string[]): Map<string, unknown> | undefined {
    if (!isMap(node)) {
      this.report(node, `${what}: a mapping with the keys ${known.join(", ")}`);
      return undefined;
    }
    return this.entries(node, what, known);
  }

  /** required reads fields' key with read, or reports that parent lacks it. */
  required<T>(
    fields: Map<string, unknown>,
    key: string,
    parent: unknown,
    what: string,
    read: (value: unknown, what: string) => T | undefined,
    hint = "",
  ): T | undefined {
    if (fields.has(key)) return read(fields.get(key), what);
    this.report(parent, `${what}: required${hint}`);
    return undefined;
  }

  string(node: unknown, what: string): string | undefined {
    if (isScalar(node) && typeof node.value === "string" && node.value !== "") return node.value;
    this.report(node, `${what}: a non-empty string`);
    return undefined;
  }

  /** strings reads a string or a list of strings, each checked by check (a message, or undefined). */
  strings(
    node: unknown,
    what: string,
    check: (value: string) => string | undefined,
  ): string[] | undefined {
    const items = isSeq(node) ? node.items : [node];
    if (items.length === 0) {
      this.report(node, `${what}: at least one value`);
      return undefined;
    }
    const values: string[] = [];
    for (const item of items) {
      const value = this.string(item, what);
      if (value === undefined) return undefined;
      const problem = check(value);
      if (problem !== undefined) {
        this.report(item, `${what}: ${problem}`);
        return undefined;
      }
      values.push(value);
    }
    return values;
  }

  /** durationMs reads a Go duration (`30s`, `5m`, `1h`) of more than 0 and at most maxMs. */
  durationMs(node: unknown, what: string, maxMs: number): number | undefined {
    const text = isScalar(node) ? String(node.value) : undefined;
    const parsed = text === undefined ? "not a duration" : parseGoDuration(text);
    const ms =
      typeof parsed === "string" ? Number.NaN : Number(parsed.seconds) * 1000 + parsed.nanos / 1e6;
    if (ms > 0 && ms <= maxMs) return ms;
    const why = typeof parsed === "string" ? `: ${parsed}` : "";
    this.report(
      node,
      `${what}: a positive duration of at most ${maxMs / 3_600_000}h, such as 30s, 5m or 1h, got ${JSON.stringify(text ?? null)}${why}`,
    );
    return undefined;
  }

  private entries(map: YAMLMap, what: string, known: readonly string[]): Map<string, unknown> {
    const entries = new Map<string, unknown>();
    for (const { key, value } of map.items) {
      const name = String(isNode(key) ? key.toJSON() : key);
      if (!known.includes(name)) {
        const suggestion = suggestName(name, known);
        const hint =
          suggestion === undefined
            ? `; the keys are ${known.join(", ")}`
            : ` (did you mean '${suggestion}'?)`;
        this.report(key, `${what}: unknown key '${name}'${hint}`);
        continue;
      }
      entries.set(name, value ?? null);
    }
    return entries;
  }
}

function readWebhook(reader: NodeReader, name: string, node: unknown): Webhook | undefined {
  const what = `webhook '${name}'`;
  const fields = reader.map(node, what, WEBHOOK_KEYS);
  if (fields === undefined) return undefined;
  const urlNode = fields.get("url");
  const envNode = fields.get("secret_env");
  const text = reader.string(urlNode ?? node, `${what}: url`);
  const secretEnv = reader.string(envNode ?? node, `${what}: secret_env`);
  let url: URL | undefined;
  if (text !== undefined) {
    url = URL.canParse(text) ? new URL(text) : undefined;
    if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
      reader.report(
        urlNode,
        `${what}: url: an http:// or https:// URL, got ${JSON.stringify(text)}`,
      );
      url = undefined;
    }
  }
  if (secretEnv !== undefined && !ENV_NAME.test(secretEnv)) {
    reader.report(
      envNode,
      `${what}: secret_env: the name of an environment variable (LATCH_ALERT_SECRET), not the secret itself`,
    );
    return undefined;
  }
  return url === undefined || secretEnv === undefined ? undefined : { name, url, secretEnv };
}

function readRule(
  reader: NodeReader,
  node: unknown,
  webhooks: ReadonlyMap<string, Webhook>,
): AlertRule | undefined {
  const named = isMap(node) ? node.get("name") : undefined;
  const label = typeof named === "string" ? `rule '${named}'` : "rule";
  const fields = reader.map(node, label, RULE_KEYS);
  if (fields === undefined) return undefined;
  const nameNode = fields.get("name");
  const name = reader.string(nameNode ?? node, "rule: name");
  if (name === undefined) return undefined;
  if (!RULE_NAME.test(name)) {
    reader.report(nameNode, `rule: name: lower-case letters, digits, - and _, got '${name}'`);
    return undefined;
  }
  const what = `rule '${name}'`;
  const match = reader.required(fields, "match", node, `${what}: match`, (value, at) =>
    readMatch(reader, value, at),
  );
  const condition = reader.required(
    fields,
    "condition",
    node,
    `${what}: condition`,
    (value, at) => readCondition(reader, value, at),
    ": any, first_use or {count, within}",
  );
  const webhookNode = fields.get("webhook");
  const webhook =
    webhookNode === undefined ? undefined : reader.string(webhookNode, `${what}: webhook`);
  if (webhook !== undefined && !webhooks.has(webhook)) {
    const known = [...webhooks.keys()];
    reader.report(
      webhookNode,
      `${what}: webhook: no webhook '${webhook}' under webhooks${known.length === 0 ? "" : ` (there are ${known.join(", ")})`}`,
    );
    return undefined;
  }
  const suspendNode = fields.get("suspend");
  const suspend =
    suspendNode === undefined ? undefined : readSuspend(reader, suspendNode, `${what}: suspend`);
  if (match === undefined || condition === undefined) return undefined;
  if (suspendNode !== undefined && suspend === undefined) return undefined;
  return {
    name,
    match,
    condition,
    ...(webhook === undefined ? {} : { webhook }),
    ...(suspend === undefined || suspend === false ? {} : { suspend }),
  };
}

function readMatch(reader: NodeReader, node: unknown, what: string): RuleMatch | undefined {
  const fields = reader.map(node, what, MATCH_KEYS);
  if (fields === undefined) return undefined;
  const match: Record<string, string[]> = {};
  let ok = true;
  for (const [key, value] of fields) {
    const values = reader.strings(value, `${what}: ${key}`, (text) => checkMatchValue(key, text));
    if (values === undefined) ok = false;
    else match[key] = values;
  }
  return ok ? (match as RuleMatch) : undefined;
}

/** checkMatchValue says what is wrong with value for the match field key, or undefined. */
function checkMatchValue(key: string, value: string): string | undefined {
  switch (key) {
    case "permission":
      return explain("permission", value, checkRelation(value));
    case "result":
      return DECISION_RESULTS.includes(value as DecisionResult)
        ? undefined
        : `one of ${DECISION_RESULTS.join(", ")}, got '${value}'`;
    case "reason":
      return REASONS.includes(value as DenialReasonName)
        ? undefined
        : `one of ${REASONS.join(", ")}, got '${value}'`;
    default: {
      if (!value.includes(":")) return explain("type", value, checkObjectType(value));
      const parsed = parseObjectRef(value);
      return parsed.ok ? undefined : parsed.error.message;
    }
  }
}

function readCondition(reader: NodeReader, node: unknown, what: string): RuleCondition | undefined {
  if (isScalar(node) && (node.value === "any" || node.value === "first_use")) {
    return { kind: node.value };
  }
  if (!isMap(node)) {
    reader.report(node, `${what}: any, first_use, or a mapping {count, within, per}`);
    return undefined;
  }
  const fields = reader.map(node, what, COUNT_KEYS);
  if (fields === undefined) return undefined;
  const countNode = fields.get("count");
  const count = isScalar(countNode) ? countNode.value : undefined;
  const countOk =
    Number.isInteger(count) && (count as number) >= 1 && (count as number) <= MAX_COUNT;
  if (!countOk)
    reader.report(countNode ?? node, `${what}: count: an integer from 1 to ${MAX_COUNT}`);
  const withinMs = reader.required(fields, "within", node, `${what}: within`, (value, at) =>
    reader.durationMs(value, at, MAX_WINDOW_MS),
  );
  const perNode = fields.get("per");
  const per = perNode === undefined ? "agent" : isScalar(perNode) ? perNode.value : undefined;
  if (per !== "agent" && per !== "principal") {
    reader.report(perNode, `${what}: per: agent or principal`);
    return undefined;
  }
  if (!countOk || withinMs === undefined) return undefined;
  return { kind: "count", count: count as number, withinMs, per: per as CountPer };
}

function readSuspend(
  reader: NodeReader,
  node: unknown,
  what: string,
): { forMs?: number } | false | undefined {
  if (isScalar(node) && typeof node.value === "boolean") return node.value ? {} : false;
  const fields = reader.map(node, `${what} (true, or {for: DURATION})`, SUSPEND_KEYS);
  if (fields === undefined) return undefined;
  const forNode = fields.get("for") as Node | undefined;
  if (forNode === undefined) return {};
  const forMs = reader.durationMs(forNode, `${what}: for`, MAX_SUSPEND_MS);
  return forMs === undefined ? undefined : { forMs };
}
