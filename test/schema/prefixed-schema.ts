// A schema whose every definition and caveat name has three segments, for the tests of prefixes.

/** PREFIXED_SCHEMA names every definition and caveat with three segments. */
export const PREFIXED_SCHEMA = `definition acme/eng/user {}

definition acme/eng/group {
	relation member: acme/eng/user | acme/eng/group#member
}

definition acme/eng/document {
	relation viewer: acme/eng/user | acme/eng/group#member | acme/eng/user with acme/eng/on_call

	permission view = viewer
}

caveat acme/eng/on_call(on_call bool) {
	on_call
}
`;
