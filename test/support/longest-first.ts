// The order in which vitest starts the test files: the longest first.

import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * LONGEST are the test files that run longest, longest first: the README's examples, the MCP
 * walkthrough and `latch serve`'s tests start many processes, the console's a browser, and the
 * rest run hundreds of generated cases or a store's whole contract; minutes each on a loaded
 * 2-core machine. Vitest knows durations only from an earlier run of the same checkout, which
 * CI's clean clone never has; without them it starts the biggest files first (the integration
 * project's, then the unit project's), and a small file that runs long would start late and end
 * the run alone.
 */
const LONGEST = [
  "test/readme/readme-examples.test.ts",
  "test/mcp-gateway/integration/readme-walkthrough.test.ts",
  "test/cli/serve-command.test.ts",
  "test/console/integration/console-pages.test.ts",
  "test/engine/chain-against-reference.test.ts",
  "test/store/postgres/pglite-store.test.ts",
  "test/store/postgres/postgres-store.test.ts",
  "test/cache/integration/revocation.test.ts",
];

/**
 * LongestFirst is vitest's sequencer with the files of {@link LONGEST} moved to the front, in its
 * order; the rest keep vitest's order.
 */
export class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    for (const path of LONGEST) {
      if (!existsSync(join(root, path))) throw new Error(`LONGEST names ${path}, which is gone`);
    }
    const rank = (file: TestSpecification) => {
      const index = LONGEST.indexOf(relative(root, file.moduleId));
      return index === -1 ? LONGEST.length : index;
    };
    // Array sort is stable: files of the same rank keep vitest's order.
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}
