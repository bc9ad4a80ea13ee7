import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";
import { LongestFirst } from "./test/support/longest-first.js";

/**
 * The tests that use Postgres, Redis, a server or a child process, by folder: four whole folders,
 * and any folder named `integration`. Every other test is a unit test: it runs in the unit project
 * (`npm run test:unit`, and `npm test` with the rest), where a test that starts a process, a
 * server or a TCP connection fails, naming these folders.
 */
const INTEGRATION = [
  "test/api/**/*.test.ts",
  "test/cli/**/*.test.ts",
  "test/store/postgres/**/*.test.ts",
  "test/readme/**/*.test.ts",
  "test/**/integration/**/*.test.ts",
];

export default defineConfig({
  test: {
    // A time limit is there to catch a hang, not slowness: on a loaded 2-core machine the property
    // tests and the hooks that migrate, start servers or drop databases take several times as long
    // as on an idle one. A test that needs more says so.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Vitest's default, one worker fewer than the cores, runs the files one at a time on a 2-core
    // machine, leaving a core idle while a file waits on Postgres, a child process or the browser:
    // one worker more than the cores keeps both busy. A file does not rely on running alone: it
    // makes its own databases, ports and directories.
    maxWorkers: availableParallelism() + 1,
    // The longest files start first, so that the run does not end on one of them alone.
    sequence: { sequencer: LongestFirst },
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/**/*.test.ts"],
          exclude: INTEGRATION,
          setupFiles: ["test/support/unit-guard.ts"],
          // A worker runs its unit files one after the other in one module graph instead of
          // importing the project's modules again for each (on a 2-core machine: 215 s against
          // 142 s, 78 s of it imports against 19 s). So a unit test leaves nothing changed behind
          // it: timers faked, the environment, a prototype.
          isolate: false,
        },
      },
      { extends: true, test: { name: "integration", include: INTEGRATION } },
    ],
  },
});
