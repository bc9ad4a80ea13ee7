// The schema of the revocation benchmark and of the revocation test: a grant, an exclusion, an expiry.

/**
 * REVOCATION_SCHEMA lets a viewer (for good, or until an expiry) view a document unless banned: each
 * way of revoking access (delete the viewer, add to banned, let the grant expire) in one permission.
 */
export const REVOCATION_SCHEMA = `use expiration

definition user {}

definition document {
  relation viewer: user | user with expiration
  relation banned: user
  permission view = viewer - banned
}
`;
