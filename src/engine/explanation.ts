// Explanations: the proof of a check, built only when asked, so that it costs nothing otherwise.

import type { Relationship } from "../tuple/relationship.js";
import type { OutcomeKind } from "./outcome.js";

/** ExplanationStep says how a node of the proof was decided. */
export type ExplanationStep =
  /** A relation, from the relationships stored for it (children: one per relationship used). */
  | "relation"
  /** One stored relationship; for a subject set, its child is the check on that set. */
  | "relationship"
  | "union"
  | "intersection"
  | "exclusion"
  /** An arrow: children are the relationships walked, each followed by the target's proof. */
  | "arrow"
  | "nil"
  /** `self`: allowed when the subject is the object itself. */
  | "self"
  /** The sub-problem met itself in the data and was taken as denied. */
  | "cycle";

/** CaveatTrace records how a relationship's caveat was evaluated. */
export interface CaveatTrace {
  readonly name: string;
  readonly result: "true" | "false" | "missing";
  readonly missing?: readonly string[];
}

/** Explanation is one node of a proof tree: what was checked, how, with which result. */
export interface Explanation {
  /** `type:id#relation` checked at this node. */
  readonly node: string;
  readonly step: ExplanationStep;
  readonly result: OutcomeKind;
  readonly relationship?: Relationship;
  readonly caveat?: CaveatTrace;
  /** For an exclusion that denied: true on the child that removed the subject. */
  readonly role?: "base" | "subtracted";
  readonly children: readonly Explanation[];
}
