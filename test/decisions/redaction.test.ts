import { describe, expect, it } from "vitest";
import { createRedactor, MASK_PREFIX, recordOf } from "../../src/decisions/redaction.js";
import { makeDecision } from "./decision-fixtures.js";

const SECRET = Buffer.from("a-secret-of-at-least-thirty-two-characters");

describe("redaction", () => {
  it("replaces each configured key of the request's and the proof's contexts by its keyed hash, and lists it", () => {
    const decision = makeDecision();
    const record = recordOf(createRedactor(["ssn", "phone"], SECRET)(decision));
    expect(record.masked).toEqual(["context.ssn", "proof.grantedBy[0].caveatContext.ssn"]);
    expect(record.context?.ip).toBe("10.1.2.3");
    expect(record.context?.ssn).toMatch(new RegExp(`^${MASK_PREFIX}[0-9a-f]{64}$`));
    expect(record.proof?.grantedBy?.[0]?.caveatContext?.cidr).toBe("10.0.0.0/8");
    // One value, one hash: records can still be matched on it.
    expect(record.proof?.grantedBy?.[0]?.caveatContext?.ssn).toBe(record.context?.ssn);
    expect(JSON.stringify(record)).not.toContain("078-05-1120");
    // The decision handed over is left as it was.
    expect(decision.context?.ssn).toBe("078-05-1120");
  });

  it("masks a proof made as the log writes, given beside the decision, as one in it", () => {
    const { proof, ...unproved } = makeDecision();
    const inside = recordOf(createRedactor(["ssn"], SECRET)({ ...unproved, proof }));
    const beside = createRedactor(["ssn"], SECRET)(unproved, proof);
    expect(recordOf(beside)).toEqual(inside);
    expect(beside.proof?.grantedBy?.[0]?.caveatContext?.ssn).toMatch(/^hmac-sha256:/);
    // The proof many records share is left as it was.
    expect(proof?.grantedBy?.[0]?.caveatContext?.ssn).toBe("078-05-1120");
  });

  it("masks a shared proof once: every decision it proves gets the one masked proof", () => {
    const redact = createRedactor(["ssn"], SECRET);
    const { proof, ...first } = makeDecision();
    const { proof: _own, ...second } = makeDecision({ context: { ip: "10.9.9.9" } });
    const [a, b] = [redact(first, proof), redact(second, proof)];
    expect(a.proof).toBe(b.proof);
    expect(a.masked).toEqual(["context.ssn", "proof.grantedBy[0].caveatContext.ssn"]);
    expect(b.masked).toEqual(["proof.grantedBy[0].caveatContext.ssn"]);
    const clean = { grantedBy: [{ relationship: "document:plan#viewer@user:alice" }] };
    expect(redact(first, clean).proof).toBe(clean);
  });

  it("hashes under the secret: another secret gives another hash", () => {
    const decision = makeDecision();
    const one = recordOf(createRedactor(["ssn"], SECRET)(decision));
    const other = recordOf(
      createRedactor(["ssn"], Buffer.from("another-secret-of-thirty-two-characters!"))(decision),
    );
    expect(one.context?.ssn).not.toBe(other.context?.ssn);
  });

  it("keeps records without those keys as they are, with nothing masked", () => {
    const decision = makeDecision({ context: { ip: "10.0.0.1" } });
    const { proof: _proof, ...unproved } = decision;
    expect(recordOf(createRedactor(["ssn"], SECRET)(unproved))).toEqual({
      ...unproved,
      masked: [],
    });
    expect(recordOf(createRedactor([], SECRET)(decision))).toEqual({ ...decision, masked: [] });
  });
});
