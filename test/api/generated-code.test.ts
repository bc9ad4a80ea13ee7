// Generated protobuf code: src/gen is exactly what `buf generate` makes from proto/, and it round-trips.

import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { create, equals, fromBinary, fromJson, toBinary, toJson } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CheckRequest,
  CheckRequestSchema,
} from "../../src/gen/latch/v1/permission_service_pb.js";

const ROOT = join(import.meta.dirname, "../..");
const BUF = join(ROOT, "node_modules/.bin/buf");

async function filesUnder(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(relative(dir, path), await readFile(path, "utf8"));
  }
  return files;
}

describe("src/gen", () => {
  let out: string;
  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), "latch-gen-"));
  });
  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it("is what buf generate makes from proto/ (run `npm run generate`, never edit it)", async () => {
    await promisify(execFile)(BUF, ["generate", "--output", out], { cwd: ROOT });
    const fresh = await filesUnder(join(out, "src/gen"));
    const committed = await filesUnder(join(ROOT, "src/gen"));
    expect([...committed.keys()].sort()).toEqual([...fresh.keys()].sort());
    for (const [path, text] of fresh) expect(committed.get(path), path).toBe(text);
  });
});

describe("CheckRequest", () => {
  const request: CheckRequest = create(CheckRequestSchema, {
    resource: { type: "document", id: "plan" },
    permission: "view",
    subject: { object: { type: "user", id: "alice" } },
    context: { region: "us", hour: 9 },
    consistency: { requirement: { case: "atLeastAsFresh", value: "token-1" } },
    explain: true,
  });

  it("survives the binary encoding", () => {
    const decoded = fromBinary(CheckRequestSchema, toBinary(CheckRequestSchema, request));
    expect(equals(CheckRequestSchema, decoded, request)).toBe(true);
    expect(decoded.context).toEqual({ region: "us", hour: 9 });
  });

  it("has the JSON shape Connect clients send", () => {
    const json = {
      resource: { type: "document", id: "plan" },
      permission: "view",
      subject: { object: { type: "user", id: "alice" } },
      context: { region: "us", hour: 9 },
      consistency: { atLeastAsFresh: "token-1" },
      explain: true,
    };
    expect(toJson(CheckRequestSchema, request)).toEqual(json);
    expect(equals(CheckRequestSchema, fromJson(CheckRequestSchema, json), request)).toBe(true);
  });
});
