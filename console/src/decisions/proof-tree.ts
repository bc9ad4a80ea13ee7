// A decision's proof as a tree a page can show: what granted it, or the failing leg and what was tried.

import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import { explanationOf } from "../../../src/cli/api-values.js";
import type { FailingLeg, ProofRelationship } from "../../../src/decisions/decision-proof.js";
import { renderExplanation } from "../../../src/engine/render-explanation.js";
import type { ExplanationNode } from "../../../src/gen/latch/v1/permission_service_pb.js";
import type { SubjectRef } from "../../../src/tuple/relationship.js";

/** ProofNode is one line of a proof and the lines nested under it. */
export interface ProofNode {
  readonly text: string;
  readonly children: readonly ProofNode[];
}

/** RecordedProof is a decision record's proof, read from its JSON. */
export interface RecordedProof {
  /** The relationships that granted an allowed or conditional answer, in path order. */
  readonly grantedBy: readonly ProofRelationship[];
  /** For a denied on-behalf-of check, the leg that failed. */
  readonly failingLeg: FailingLeg | undefined;
  /** For a denial, what was tried, as a tree. */
  readonly tried: readonly ProofNode[];
  /** Whether a bound cut grantedBy or tried. */
  readonly truncated: boolean;
  /** Why the record holds no proof. */
  readonly unavailable: string | undefined;
}

/**
 * linesTree nests rendered proof lines by their indentation (two spaces a level): each line
 * becomes a node under the nearest line before it that is indented less.
 */
export function linesTree(lines: readonly string[]): ProofNode[] {
  interface Building {
    readonly text: string;
    readonly depth: number;
    readonly children: Building[];
  }
  const root: Building = { text: "", depth: -1, children: [] };
  const open: Building[] = [root];
  for (const line of lines) {
    const depth = Math.floor((line.length - line.trimStart().length) / 2);
    while (open.length > 1 && open[open.length - 1]!.depth >= depth) open.pop();
    const node: Building = { text: line.trim(), depth, children: [] };
    open[open.length - 1]!.children.push(node);
    open.push(node);
  }
  const finish = (node: Building): ProofNode => ({
    text: node.text,
    children: node.children.map(finish),
  });
  return root.children.map(finish);
}

/** explanationTree is a fresh check's explanation as the same tree a record's proof shows. */
export function explanationTree(node: ExplanationNode, subject: SubjectRef): ProofNode[] {
  return linesTree(renderExplanation(explanationOf(node), subject));
}

/**
 * readRecordedProof reads a decision's `proof` JSON, keeping the fields of the documented shape
 * and ignoring values of another shape (a record written by a newer server).
 */
export function readRecordedProof(proof: JsonObject | undefined): RecordedProof {
  const given = proof ?? {};
  const summary = strings(given.summary);
  return {
    grantedBy: Array.isArray(given.grantedBy)
      ? given.grantedBy.flatMap((entry) => {
          const relationship = proofRelationship(entry);
          return relationship === undefined ? [] : [relationship];
        })
      : [],
    failingLeg: failingLeg(given.failingLeg),
    tried: linesTree(summary),
    truncated: given.truncated === true,
    unavailable: typeof given.unavailable === "string" ? given.unavailable : undefined,
  };
}

function strings(value: JsonValue | undefined): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function proofRelationship(value: JsonValue): ProofRelationship | undefined {
  if (!isObject(value) || typeof value.relationship !== "string") return undefined;
  const text = (key: string) =>
    typeof value[key] === "string" ? (value[key] as string) : undefined;
  const caveatResult = text("caveatResult");
  return {
    relationship: value.relationship,
    ...(text("caveat") === undefined ? {} : { caveat: text("caveat") }),
    ...(isObject(value.caveatContext) ? { caveatContext: value.caveatContext } : {}),
    ...(caveatResult === "true" || caveatResult === "false" || caveatResult === "missing"
      ? { caveatResult }
      : {}),
    ...(text("expiresAt") === undefined ? {} : { expiresAt: text("expiresAt") }),
    ...(text("accessRequest") === undefined ? {} : { accessRequest: text("accessRequest") }),
  };
}

function failingLeg(value: JsonValue | undefined): FailingLeg | undefined {
  if (!isObject(value)) return undefined;
  const { kind, member, result } = value;
  if (typeof kind !== "string" || typeof member !== "string" || typeof result !== "string") {
    return undefined;
  }
  return { kind, member, result };
}
