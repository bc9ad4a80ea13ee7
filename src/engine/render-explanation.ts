// Renders a check's explanation for people: the chain of relationships that grants, or why not.

import { formatRelationship, formatSubjectRef } from "../tuple/format-relationship.js";
import { type SubjectRef, WILDCARD } from "../tuple/relationship.js";
import type { CaveatTrace, Explanation } from "./explanation.js";

const INDENT = "  ";

/**
 * renderExplanation writes the proof of a check as lines. Allowed: the chain of relationships that
 * grants, `document:plan#parent@folder:eng → folder:eng#viewer@group:eng#member →
 * group:eng#member@user:alice` (an intersection lists one chain per branch under `all of:`).
 * Denied: every way that was tried and why it failed: `no relationship document:plan#viewer@user:bob`,
 * the side of an intersection that is missing, `removed by document:plan#banned: …` for an
 * exclusion, a caveat that is false. Conditional: the chains that end in a caveat, with the
 * parameters it is missing. Nested lines are indented by two spaces. `subject` is the checked
 * subject, named in "no relationship" lines; without it they name only the set.
 */
export function renderExplanation(explanation: Explanation, subject?: SubjectRef): string[] {
  return describe(explanation, subject);
}

function describe(node: Explanation, subject: SubjectRef | undefined): string[] {
  const all = (nodes: readonly Explanation[]) => nodes.flatMap((n) => describe(n, subject));
  const { children } = node;
  switch (node.step) {
    case "relation":
      return relationLines(node, subject, all);
    case "relationship": {
      const head = formatRelationship(node.relationship!) + caveatNote(node.caveat);
      return chain(head, all(children));
    }
    case "union":
      if (node.result === "allowed") return all(children.filter(isAllowed).slice(0, 1));
      if (node.result === "conditional") return all(children.filter(isConditional));
      return children.length > 0
        ? denials(children, subject)
        : [`${node.node}: no branch grants it`];
    case "arrow":
      if (node.result === "denied" && children.length === 0) {
        return [`${node.node}: an arrow finds no related object`];
      }
      if (node.result === "allowed") return all(children.filter(isAllowed));
      if (node.result === "conditional") return all(children.filter((c) => !isDenied(c)));
      return denials(children.filter(isDenied), subject);
    case "intersection":
      return intersectionLines(node, subject);
    case "exclusion":
      return exclusionLines(node, subject);
    case "nil":
      return [`${node.node} is nil`];
    case "self": {
      const object = node.node.slice(0, node.node.lastIndexOf("#"));
      return node.result === "allowed"
        ? [`${node.node} holds ${object} itself (self)`]
        : [`${node.node}: self holds only ${object} itself`];
    }
    case "cycle":
      return [`${node.node} is on a cycle in the data (taken as denied)`];
  }
}

function relationLines(
  node: Explanation,
  subject: SubjectRef | undefined,
  all: (nodes: readonly Explanation[]) => string[],
): string[] {
  const { children } = node;
  if (node.result === "allowed") return all(children.filter(isAllowed).slice(0, 1));
  if (node.result === "conditional") return all(children.filter(isConditional));
  const tried = children.some((c) => c.relationship && isDirect(c.relationship.subject, subject));
  const target = subject === undefined ? "" : `@${formatSubjectRef(subject)}`;
  const lines = denials(children, subject);
  return tried ? lines : [`no relationship ${node.node}${target}`, ...lines];
}

/**
 * denials renders the branches that all failed: the same reason given twice is shown once, and
 * branches that had nothing to walk (an arrow without related objects, nil) are left out when
 * another branch says more.
 */
function denials(nodes: readonly Explanation[], subject: SubjectRef | undefined): string[] {
  const telling = nodes.filter((n) => !isVacuous(n));
  const shown = telling.length > 0 ? telling : nodes;
  const blocks = new Set(shown.map((n) => describe(n, subject).join("\n")));
  return [...blocks].flatMap((block) => block.split("\n"));
}

/** isVacuous is true for a denial that walked nothing: nil, an arrow without related objects, a union of such. */
function isVacuous(node: Explanation): boolean {
  if (node.step === "nil") return true;
  if (node.step === "arrow" || node.step === "union") return node.children.every(isVacuous);
  return false;
}

function intersectionLines(node: Explanation, subject: SubjectRef | undefined): string[] {
  if (node.result !== "denied") {
    if (node.children.length === 1) return describe(node.children[0]!, subject);
    return ["all of:", ...node.children.flatMap((c) => indent(describe(c, subject)))];
  }
  const missing = node.children.filter((c) => c.result === "denied");
  if (missing.length === 0) {
    // A branch the subject's type can never reach is denied without a proof.
    const who = subject === undefined ? "the subject" : formatSubjectRef(subject);
    return [`${node.node}: ${who} can never be in one of its branches`];
  }
  return missing.flatMap((c) => {
    const lines = describe(c, subject);
    return c.step === "relation" || c.node === node.node
      ? lines
      : labelled(`missing ${c.node}`, lines);
  });
}

function exclusionLines(node: Explanation, subject: SubjectRef | undefined): string[] {
  const base = node.children.find((c) => c.role === "base");
  const subtracted = node.children.find((c) => c.role === "subtracted");
  const baseLines = base && base.result !== "denied" ? describe(base, subject) : [];
  const by =
    subtracted && subtracted.node !== node.node ? ` ${subtracted.node}` : " the subtracted branch";
  switch (node.result) {
    case "allowed":
      return baseLines;
    case "conditional":
      if (subtracted?.result !== "conditional") return baseLines;
      return [...baseLines, ...labelled(`unless removed by${by}`, describe(subtracted, subject))];
    case "denied":
      if (base?.result === "denied") return describe(base, subject);
      if (subtracted?.result === "allowed") {
        return labelled(`removed by${by}`, describe(subtracted, subject));
      }
      return [`${node.node}: excluded`];
  }
}

/** isDirect tells a relationship that names the checked subject (or its wildcard) from a subject set walked. */
function isDirect(stored: SubjectRef, subject: SubjectRef | undefined): boolean {
  if (subject === undefined) return stored.relation === undefined;
  if (stored.type !== subject.type || stored.relation !== subject.relation) return false;
  return stored.id === subject.id || stored.id === WILDCARD;
}

function caveatNote(trace: CaveatTrace | undefined): string {
  if (trace === undefined) return "";
  const state =
    trace.result === "missing" ? `missing ${(trace.missing ?? []).join(", ")}` : trace.result;
  return ` (caveat ${trace.name}: ${state})`;
}

/** chain joins a relationship to what it leads to: `a → b` on one line, or `a →` over indented lines. */
function chain(head: string, lines: readonly string[]): string[] {
  if (lines.length === 0) return [head];
  if (lines.length === 1) return [`${head} → ${lines[0]}`];
  return [`${head} →`, ...indent(lines)];
}

function labelled(label: string, lines: readonly string[]): string[] {
  if (lines.length === 0) return [label];
  if (lines.length === 1) return [`${label}: ${lines[0]}`];
  return [`${label}:`, ...indent(lines)];
}

function indent(lines: readonly string[]): string[] {
  return lines.map((line) => INDENT + line);
}

function isAllowed(node: Explanation): boolean {
  return node.result === "allowed";
}

function isDenied(node: Explanation): boolean {
  return node.result === "denied";
}

function isConditional(node: Explanation): boolean {
  return node.result === "conditional";
}
