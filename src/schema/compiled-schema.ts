// The compiled schema the engine walks: immutable definitions with rewrite trees, caveats and reachability.

import type { CompiledCaveat } from "./caveat/compiled-caveat.js";

/** Rewrite is the tree that computes a permission from relations and other permissions. */
export type Rewrite =
  | { readonly kind: "nil" }
  /** The object itself, as a subject (`self`): the subject with no relation that is the object. */
  | { readonly kind: "self" }
  /** Another relation or permission of the same object. */
  | { readonly kind: "computed"; readonly name: string }
  /**
   * Walk `tupleset` from the object to each related object, and compute `target` there; `any`
   * holds if one of them has it, `all` if every one does (and there is at least one).
   */
  | {
      readonly kind: "arrow";
      readonly function: "any" | "all";
      readonly tupleset: string;
      readonly target: string;
    }
  | { readonly kind: "union" | "intersection"; readonly children: readonly Rewrite[] }
  | { readonly kind: "exclusion"; readonly base: Rewrite; readonly subtracted: Rewrite };

/** AllowedSubject is one subject type a relation admits, with its traits. */
export interface AllowedSubject {
  readonly type: string;
  /** For subject sets (`group#member`); undefined for the object itself. */
  readonly relation?: string;
  readonly wildcard: boolean;
  readonly caveat?: string;
  readonly expiration: boolean;
}

/** RelationDefinition is a relation: the edges stored for it, and who may be at their far end. */
export interface RelationDefinition {
  readonly kind: "relation";
  readonly definition: string;
  readonly name: string;
  readonly allowedSubjects: readonly AllowedSubject[];
  readonly doc?: string;
}

/** PermissionDefinition is a permission, computed by its rewrite tree. */
export interface PermissionDefinition {
  readonly kind: "permission";
  readonly definition: string;
  readonly name: string;
  readonly rewrite: Rewrite;
  readonly doc?: string;
}

/** MemberDefinition is a relation or a permission. */
export type MemberDefinition = RelationDefinition | PermissionDefinition;

/** ObjectDefinition is an object type: its relations and permissions, by name and in order. */
export interface ObjectDefinition {
  readonly name: string;
  readonly doc?: string;
  readonly members: ReadonlyMap<string, MemberDefinition>;
}

/**
 * ReverseEdge says how the set `type#name` is used by another relation or permission; lookups
 * walk these from a subject up to the resources that can reach it.
 */
export type ReverseEdge =
  /** `type#permission` uses the set directly (same object). */
  | { readonly kind: "computed"; readonly type: string; readonly name: string }
  /**
   * `type#name` has an arrow over its relation `tupleset` whose subjects are objects of the
   * set's type: the resources are the objects whose `tupleset` points at the set's object.
   */
  | {
      readonly kind: "arrow";
      readonly type: string;
      readonly name: string;
      readonly tupleset: string;
      readonly function: "any" | "all";
    }
  /** The relation `type#name` admits the set as a subject set (`group#member`). */
  | { readonly kind: "subject-set"; readonly type: string; readonly name: string };

/**
 * DirectEntry is where a subject type enters the schema: a relation that admits it directly, or
 * as a wildcard; or a permission of its own type that holds each object itself (`self`), which no
 * relationship stores.
 */
export interface DirectEntry {
  readonly type: string;
  readonly relation: string;
  readonly wildcard: boolean;
  readonly self: boolean;
}

/** Reachability answers which relations can lead from a subject type to a resource's permission. */
export interface Reachability {
  /** usesOf lists the relations and permissions that use the set `type#name`. */
  usesOf(type: string, name: string): readonly ReverseEdge[];
  /** directEntries lists the relations whose stored subjects may be objects of `subjectType`. */
  directEntries(subjectType: string): readonly DirectEntry[];
  /** canReach is false when no subject of `subjectType` can ever have `name` on a `type`. */
  canReach(type: string, name: string, subjectType: string): boolean;
  /**
   * isRecursive is true when `type#name` can depend on itself (through subject sets, arrows or
   * other permissions), so that the data may hold cycles through it.
   */
  isRecursive(type: string, name: string): boolean;
}

/** CompiledSchema is a type-checked schema, immutable, ready for the engine. */
export interface CompiledSchema {
  readonly definitions: ReadonlyMap<string, ObjectDefinition>;
  readonly caveats: ReadonlyMap<string, CompiledCaveat>;
  /** Whether the schema says `use expiration`. */
  readonly useExpiration: boolean;
  readonly reachability: Reachability;
  /** member finds a relation or permission, or undefined when the type or the name is unknown. */
  member(type: string, name: string): MemberDefinition | undefined;
}
