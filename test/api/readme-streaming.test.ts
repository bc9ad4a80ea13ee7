// The README's curl example of a streaming method over HTTP, run as written against a server.

import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { relationship, useTestServer, writeTestData } from "./api-harness.js";

const test = useTestServer();

/** The first sh block after the README's heading `### Streaming methods over HTTP`. */
function streamingExample(): string {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const section = readme.slice(readme.indexOf("### Streaming methods over HTTP"));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (block === undefined) throw new Error("README.md: no sh block under Streaming methods");
  return block
    .split("\n")
    .filter((line) => !line.startsWith("#"))
    .join("\n");
}

/** frames splits a Connect stream into its envelopes: flags and JSON. */
function frames(body: Buffer): [number, unknown][] {
  const found: [number, unknown][] = [];
  for (let at = 0; at < body.length; ) {
    const length = body.readUInt32BE(at + 1);
    found.push([body[at]!, JSON.parse(body.subarray(at + 5, at + 5 + length).toString())]);
    at += 5 + length;
  }
  return found;
}

beforeAll(async () => {
  await writeTestData(test().clients, [
    relationship("document:plan", "viewer", "user:alice"),
    relationship("document:spec", "viewer", "user:bob"),
  ]);
});

describe("README: streaming methods over HTTP", () => {
  it("runs as written: one relationship in its envelope, then the end of the stream", async () => {
    const port = new URL(test().httpUrl).port;
    const script = streamingExample().replaceAll("localhost:8080", `127.0.0.1:${port}`);
    const { stdout } = await promisify(execFile)("bash", ["-c", `set -e -o pipefail\n${script}`], {
      encoding: "buffer",
    });
    expect(frames(stdout)).toEqual([
      [
        0,
        {
          relationship: {
            resource: { type: "document", id: "plan" },
            relation: "viewer",
            subject: { object: { type: "user", id: "alice" } },
          },
          readAt: expect.stringMatching(/^lt1_/),
          afterCursor: "document:plan#viewer@user:alice",
        },
      ],
      [2, {}],
    ]);
    // What the README shows: the output's last line ends with the end of the stream.
    expect(stdout.toString().split("\n").at(-1)).toMatch(/\{\}$/);
  });
});
