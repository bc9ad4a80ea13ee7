// The schema the API tests write: subject sets, a wildcard, a caveat, expiry and an exclusion.

/** TEST_SCHEMA is written by each API test file before it writes relationships. */
export const TEST_SCHEMA = `use expiration

caveat in_region(region string, allowed list<string>) {
  region in allowed
}

definition user {}

definition group {
  relation member: user | group#member
}

definition document {
  relation owner: user
  relation viewer: user | user:* | group#member | user with in_region | user with expiration
  relation banned: user
  permission edit = owner
  permission view = (viewer + owner) - banned
}
`;
