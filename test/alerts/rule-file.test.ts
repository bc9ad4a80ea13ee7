// The alert rule file: the rules it reads, and every problem named with its line and column.

import { describe, expect, it } from "vitest";
import { AlertRulesError, parseAlertRules, webhookSecrets } from "../../src/alerts/rule-file.js";

const GOOD = `webhooks:
  oncall:
    url: https://hooks.example.com/latch
    secret_env: LATCH_ALERT_SECRET
rules:
  - name: denial-burst
    match: { actor: agent, result: denied }
    condition: { count: 5, within: 1m }
    webhook: oncall
    suspend: { for: 1h }
  - name: first-delete
    match: { resource: document, permission: [delete, purge] }
    condition: first_use
  - name: secret
    match: { resource: "document:secret", reason: suspended }
    condition: any
    suspend: true
`;

/** problemsOf is what parsing text refuses, one line each. */
function problemsOf(text: string): readonly string[] {
  try {
    parseAlertRules(text, "alerts.yaml");
  } catch (error) {
    if (error instanceof AlertRulesError) return error.problems;
    throw error;
  }
  throw new Error("the file was accepted");
}

describe("alert rule file", () => {
  it("reads rules, conditions and actions", () => {
    const { rules, webhooks } = parseAlertRules(GOOD, "alerts.yaml");
    expect(rules.map((r) => r.name)).toEqual(["denial-burst", "first-delete", "secret"]);
    expect(rules[0]).toMatchObject({
      match: { actor: ["agent"], result: ["denied"] },
      condition: { kind: "count", count: 5, withinMs: 60_000, per: "agent" },
      webhook: "oncall",
      suspend: { forMs: 3_600_000 },
    });
    expect(rules[1]?.condition).toEqual({ kind: "first_use" });
    expect(rules[1]?.match.permission).toEqual(["delete", "purge"]);
    expect(rules[2]).toMatchObject({ condition: { kind: "any" }, suspend: {} });
    expect(webhooks.get("oncall")?.url.href).toBe("https://hooks.example.com/latch");
  });

  it("names the line and column of an unknown field, with a suggestion", () => {
    const text = GOOD.replace("condition: first_use", "conditon: first_use");
    expect(problemsOf(text)).toEqual([
      "alerts.yaml:13:5: rule 'first-delete': unknown key 'conditon' (did you mean 'condition'?)",
      "alerts.yaml:11:5: rule 'first-delete': condition: required: any, first_use or {count, within}",
    ]);
  });

  it("names the line of a bad duration", () => {
    const text = GOOD.replace("within: 1m", "within: 1 minute");
    const [problem] = problemsOf(text);
    expect(problem).toMatch(
      /^alerts\.yaml:8:36: rule 'denial-burst': condition: within: a positive duration/,
    );
  });

  it("refuses a webhook URL that is not http(s), and a rule naming a missing webhook", () => {
    const text = GOOD.replace("https://hooks.example.com/latch", "ftp://hooks.example.com").replace(
      "webhook: oncall",
      "webhook: pager",
    );
    expect(problemsOf(text)).toEqual([
      "alerts.yaml:3:10: webhook 'oncall': url: an http:// or https:// URL, got \"ftp://hooks.example.com\"",
      "alerts.yaml:9:14: rule 'denial-burst': webhook: no webhook 'pager' under webhooks",
    ]);
  });

  it("refuses bad match values, counts and per, each where it is", () => {
    const text = GOOD.replace("result: denied", "result: refused")
      .replace("count: 5", "count: 0")
      .replace("reason: suspended", "reason: bored");
    const problems = problemsOf(text);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(
      /^alerts\.yaml:7:36: .*result: one of allowed, denied, conditional/,
    );
    expect(problems[1]).toMatch(/^alerts\.yaml:8:25: .*count: an integer from 1/);
    expect(problems[2]).toMatch(/^alerts\.yaml:15:51: .*reason: one of no_permission/);
  });

  it("refuses a secret written inline rather than named, and a missing secret at start", () => {
    const inline = GOOD.replace("secret_env: LATCH_ALERT_SECRET", "secret_env: s3cr3t-value");
    expect(problemsOf(inline)[0]).toMatch(
      /^alerts\.yaml:4:17: .*secret_env: the name of an environment variable/,
    );
    const rules = parseAlertRules(GOOD, "alerts.yaml");
    expect(() => webhookSecrets(rules, {})).toThrow(/LATCH_ALERT_SECRET is not set/);
    expect(webhookSecrets(rules, { LATCH_ALERT_SECRET: "k" }).get("oncall")?.toString()).toBe("k");
  });

  it("refuses YAML that does not parse, and a file without rules", () => {
    expect(problemsOf("rules: [")[0]).toMatch(/^alerts\.yaml: /);
    expect(problemsOf("webhooks: {}\n")).toEqual([
      "alerts.yaml:1:1: rules: required, a list of rules",
    ]);
  });
});
