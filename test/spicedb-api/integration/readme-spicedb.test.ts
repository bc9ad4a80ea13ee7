// The README's @authzed/authzed-node example ("Coming from SpiceDB"), run as written against a server.

import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { v1 } from "@authzed/authzed-node";
import { beforeAll, describe, expect, it } from "vitest";
import { TEST_SCHEMA } from "../../api/api-schema.js";
import { rel, touch, useSpiceTestServer } from "./spicedb-harness.js";

const test = useSpiceTestServer();
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** The js block under the README's heading `## Coming from SpiceDB`. */
function spiceDbExample(): string {
  const readme = readFileSync(new URL("README.md", `file://${ROOT}`), "utf8");
  const section = readme.slice(readme.indexOf("## Coming from SpiceDB"));
  const block = /```js\n([\s\S]*?)```/.exec(section)?.[1];
  if (block === undefined) throw new Error("README.md: no js block under Coming from SpiceDB");
  return block;
}

beforeAll(async () => {
  const { spice } = test();
  await spice.writeSchema(v1.WriteSchemaRequest.create({ schema: TEST_SCHEMA }));
  await spice.writeRelationships(
    v1.WriteRelationshipsRequest.create({
      updates: [touch(rel("document:plan#viewer@user:alice"))],
    }),
  );
});

describe("README: coming from SpiceDB", () => {
  it("is eight lines that run as written and print what the comment says", async () => {
    const example = spiceDbExample();
    expect(example.trimEnd().split("\n")).toHaveLength(8);
    const script = example.replaceAll("localhost:50051", `127.0.0.1:${test().server.grpcPort}`);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--input-type=module", "-e", script],
      { cwd: ROOT },
    );
    expect(stdout).toBe("true\n");
  });
});
