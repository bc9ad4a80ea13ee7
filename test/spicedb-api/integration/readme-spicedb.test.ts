// The README's @authzed/authzed-node examples ("Coming from SpiceDB"), run as written against a server.

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

/** The js blocks in the README's section `## Coming from SpiceDB`, in order. */
function spiceDbExamples(): string[] {
  const readme = readFileSync(new URL("README.md", `file://${ROOT}`), "utf8");
  const start = readme.indexOf("## Coming from SpiceDB");
  const section = readme.slice(start, readme.indexOf("\n## ", start + 1));
  return [...section.matchAll(/```js\n([\s\S]*?)```/g)].map((match) => match[1]!);
}

/** run runs an example as written, pointed at the test server, and resolves with what it printed. */
async function run(example: string): Promise<string> {
  const script = example.replaceAll("localhost:50051", `127.0.0.1:${test().server.grpcPort}`);
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--input-type=module", "-e", script],
    { cwd: ROOT },
  );
  return stdout;
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
    const [example = ""] = spiceDbExamples();
    expect(example.trimEnd().split("\n")).toHaveLength(8);
    expect(await run(example)).toBe("true\n");
  });

  it("asks DiffSchema what a schema change would change, and prints what the comment says", async () => {
    const examples = spiceDbExamples();
    expect(examples).toHaveLength(2);
    expect(await run(examples[1]!)).toBe("[ 'definitionAdded' ]\n");
  });
});
