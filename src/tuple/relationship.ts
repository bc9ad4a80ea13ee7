// The relationship (tuple) and the object and subject references it joins, as SpiceDB models them.

/** WILDCARD is the subject id that stands for every object of the subject's type, as in `user:*`. */
export const WILDCARD = "*";

/** ObjectRef names one object: `document:plan` is `{ type: "document", id: "plan" }`. */
export interface ObjectRef {
  readonly type: string;
  readonly id: string;
}

/**
 * SubjectRef names the subject of a relationship: an object (`user:alice`), every object of a type
 * (`user:*`, id {@link WILDCARD}) or the subjects in an object's relation (`group:eng#member`).
 * `relation` is undefined for the object itself (SpiceDB's `...`) and always for the wildcard.
 */
export interface SubjectRef {
  readonly type: string;
  readonly id: string;
  readonly relation?: string;
}

/** RelationshipCaveat names the caveat a relationship holds under, with the context it was written with. */
export interface RelationshipCaveat {
  readonly name: string;
  /** JSON values written with the relationship, evaluated alongside the request's context. */
  readonly context?: Readonly<Record<string, unknown>>;
}

/**
 * Relationship states that `subject` has `relation` to `resource`, optionally only when a caveat
 * holds and only until `expiresAt`. Its identity is (resource, relation, subject): see
 * `relationshipKey`.
 */
export interface Relationship {
  readonly resource: ObjectRef;
  readonly relation: string;
  readonly subject: SubjectRef;
  readonly caveat?: RelationshipCaveat;
  readonly expiresAt?: Date;
}
