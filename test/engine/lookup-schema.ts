// The schema the lookup tests share: groups, nested folders, documents with every rewrite construct.

/** LOOKUP_SCHEMA has direct and wildcard grants, nested groups, folder arrows (any and all), intersection, exclusion, a caveat and expiry. */
export const LOOKUP_SCHEMA = `
use expiration

caveat in_region(region string) {
  region == "us"
}

definition user {}

definition group {
  relation member: user | group#member | user with in_region
}

definition label {
  relation cleared: user
}

definition folder {
  relation parent: folder
  relation viewer: user | user:* | group#member
  permission view = viewer + parent->view
}

definition document {
  relation folder: folder
  relation label: label
  relation viewer: user | user:* | group#member | user with in_region | user with expiration
  relation editor: user | group#member
  relation banned: user | user:* | group#member | user with in_region
  permission edit = editor & viewer
  permission view = (viewer + editor + folder->view) - banned
  permission cleared = label.all(cleared)
  permission any_cleared = label.any(cleared)
}
`;
