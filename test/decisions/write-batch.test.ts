import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HASH_BYTES, recordHash } from "../../src/decisions/chain-hash.js";
import type { Decision } from "../../src/decisions/decision-record.js";
import { createRedactor, recordParts, recordText } from "../../src/decisions/redaction.js";
import {
  type PreparedRecord,
  prepareRecord,
  ROW_SLOT_BYTES,
  recordColumns,
} from "../../src/decisions/write-batch.js";
import { copyRow } from "../../src/store/postgres/copy-text.js";
import { madeDecision, makeDecision } from "./decision-fixtures.js";

const redact = createRedactor([], Buffer.alloc(32));

/** expectedRow is the COPY row of a decision's columns and record text, built the plain way. */
function expectedRow(text: string, decision: ReturnType<typeof makeDecision>): string {
  const c = recordColumns(decision);
  const actors = `{${c.actors.map((a) => `"${a.replace(/["\\]/g, (ch) => `\\${ch}`)}"`).join(",")}}`;
  return copyRow([
    c.decidedAt,
    c.decisionId,
    c.kind,
    c.apiKey,
    c.subject,
    actors,
    c.resource,
    c.permission,
    c.result,
    text,
  ]);
}

/** rowOf is a prepared record's COPY row, after the room for its batch seq and position. */
function rowOf(prepared: PreparedRecord): Buffer {
  return prepared.slab.subarray(prepared.start + ROW_SLOT_BYTES, prepared.end);
}

/** hashOf is the hash a prepared record was written with. */
function hashOf(prepared: PreparedRecord): Buffer {
  return prepared.hashSlab.subarray(prepared.hashAt, prepared.hashAt + HASH_BYTES);
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** storedText is a record's whole text as stored: its proof replaced by the proof's hash. */
function storedText(text: string, proof: object | undefined): string {
  if (proof === undefined) return text;
  const json = JSON.stringify(proof);
  return text.replace(`,"proof":${json}`, `,"proof":"sha256:${sha256(json)}"`);
}

describe("prepareRecord", () => {
  it("writes the record's COPY row and the hash of its text, whatever the text holds", () => {
    const contexts = fc.dictionary(
      fc.string({ maxLength: 6 }),
      fc.oneof(
        fc.string({ maxLength: 12 }),
        fc.constantFrom("a\\b", "tab\there", "new\nline", "é✓"),
      ),
      { maxKeys: 3 },
    );
    fc.assert(
      fc.property(contexts, contexts, fc.boolean(), (context, caveatContext, proven) => {
        const base = makeDecision({ context });
        const proof = proven
          ? {
              grantedBy: [{ relationship: "document:plan#viewer@user:alice", caveatContext }],
            }
          : undefined;
        const { proof: _inside, ...decision } = base;
        const redacted = redact(decision, proof);
        const text = storedText(recordText(redacted), proof);
        const prepared = prepareRecord(recordParts(redacted));
        expect(rowOf(prepared).toString()).toBe(expectedRow(text, base));
        expect(hashOf(prepared).equals(recordHash(text))).toBe(true);
        expect(prepared.proof?.json).toBe(proof === undefined ? undefined : JSON.stringify(proof));
      }),
      { numRuns: 200 },
    );
  });

  it("refers to one proof from each record it proves, by the hash of its row", () => {
    const { proof, ...decision } = makeDecision();
    const first = redact(decision, proof);
    const second = redact(
      { ...decision, decisionId: "0190a0b0-0000-7000-8000-000000000002" },
      proof,
    );
    const [a, b] = [first, second].map((r) => prepareRecord(recordParts(r)));
    expect(rowOf(a!).toString()).toBe(
      expectedRow(
        storedText(recordText(first), proof),
        decision as ReturnType<typeof makeDecision>,
      ),
    );
    expect(b!.proof).toBe(a!.proof);
    const row = rowOf(b!).toString();
    expect(row).not.toContain(JSON.stringify(proof));
    expect(row).toContain(`"proof":"sha256:${sha256(JSON.stringify(proof))}"`);
    expect(row).toContain("0190a0b0-0000-7000-8000-000000000002");
  });

  it("writes each column of a record sharing its proof with one before, whichever differs", () => {
    const { proof } = makeDecision();
    // As the check path makes it: its question's text, and its columns with it, made once.
    const decision = madeDecision();
    const rowFor = (changed: Decision) => {
      const redacted = redact(changed, proof);
      const parts = recordParts(redacted);
      expect(parts.question).toBeDefined();
      const prepared = prepareRecord(parts);
      const text = storedText(recordText(redacted), proof);
      expect(rowOf(prepared).toString()).toBe(
        expectedRow(text, changed as ReturnType<typeof makeDecision>),
      );
      expect(hashOf(prepared).equals(recordHash(text))).toBe(true);
    };
    rowFor(decision);
    const changes: Partial<Decision>[] = [
      { decisionId: "0190a0b0-0000-7000-8000-000000000003" },
      { time: new Date(0).toISOString() },
      { kind: "lookup_resources" },
      { apiKey: "other" },
      { apiKey: undefined },
      { subject: "user:bob" },
      { actors: [] },
      { actors: ["agent:other"] },
      { resource: "document:other" },
      { permission: "edit" },
      { result: "denied" },
      { result: undefined },
      // A record's own fields, written into its question's bytes.
      { latencyUs: 0 },
      { latencyUs: 10 },
      { latencyUs: Number.MAX_SAFE_INTEGER },
      { latencyUs: 1.5 },
      { traceId: undefined },
      { traceId: "0af7651916cd43dd8448eb211c80319c" },
      { time: "+010000-01-01T00:00:00.000Z" },
      // A question whose text holds a backslash, which COPY escapes, in a column or only in the text.
      { subject: "user:back\\slash" },
      { context: { path: "C:\\dir" } },
    ];
    // Its text with a backslash (the key's name is quoted), and without: then written from its question's bytes.
    for (const base of [decision, { ...decision, apiKey: "key one" }]) {
      for (const change of changes) {
        rowFor({ ...base, ...change });
        rowFor(base);
      }
    }
  });
});
