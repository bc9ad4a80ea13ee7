// The schema the suspension tests share: people, agents acting for them, documents, robots that act for no one.

/**
 * AGENT_SCHEMA lets an agent act for its owner and its principals (for good, or until an expiry),
 * and documents be viewed by people, agents and robots; a robot has no `act_for`.
 */
export const AGENT_SCHEMA = `use expiration

definition user {}

definition agent {
  relation owner: user
  relation principal: user | user with expiration
  permission act_for = owner + principal
}

definition robot {}

definition document {
  relation viewer: user | agent | robot
  permission view = viewer
}
`;
