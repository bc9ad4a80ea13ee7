// The node flags a server runs with: which are missing from a command line, and npm start's.

import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { missingServerNodeFlags, SERVER_NODE_FLAGS } from "../../src/cli/server-node-flags.js";

const root = new URL("../../", import.meta.url);
const read = (path: string) => readFile(new URL(path, root), "utf8");
const flags = SERVER_NODE_FLAGS.join(" ");

describe("missingServerNodeFlags", () => {
  it("names every flag node was not given", () => {
    expect(missingServerNodeFlags([], undefined)).toEqual(SERVER_NODE_FLAGS);
    expect(missingServerNodeFlags(["--inspect"], "")).toEqual(SERVER_NODE_FLAGS);
    expect(missingServerNodeFlags(SERVER_NODE_FLAGS, undefined)).toEqual([]);
  });

  it("takes a semi-space size the operator chose, on the command line or in NODE_OPTIONS", () => {
    expect(missingServerNodeFlags(["--max-semi-space-size=128"], undefined)).toEqual([
      "--no-allocation-site-pretenuring",
    ]);
    expect(
      missingServerNodeFlags(
        ["--no-allocation-site-pretenuring"],
        "--enable-source-maps  --max-semi-space-size=32",
      ),
    ).toEqual([]);
  });

  it("reads a flag's name written with underscores, as V8 does", () => {
    expect(
      missingServerNodeFlags(["--max_semi_space_size=64", "--no_allocation_site_pretenuring"], ""),
    ).toEqual([]);
  });

  it("does not take a flag of another name that begins like one", () => {
    expect(missingServerNodeFlags(["--max-semi-space-size-x=64"], undefined)).toEqual(
      SERVER_NODE_FLAGS,
    );
  });
});

describe("the ways Latch starts node", () => {
  it("npm start runs latch serve with the flags", async () => {
    const scripts = (JSON.parse(await read("package.json")) as { scripts: Record<string, string> })
      .scripts;
    expect(scripts.start).toBe(`node ${flags} bin/latch.js serve`);
  });
});
