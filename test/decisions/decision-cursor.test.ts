import { describe, expect, it } from "vitest";
import { CursorError, decodeCursor, encodeCursor } from "../../src/decisions/decision-cursor.js";
import { newDecisionId } from "../../src/decisions/decision-id.js";

describe("decision cursors", () => {
  const { id, time } = newDecisionId();
  const filter = { subject: "user:alice", since: new Date("2026-01-01T00:00:00Z") };

  it("resume after the decision they name, for the query that made them", () => {
    expect(decodeCursor(encodeCursor(id, filter), { ...filter })).toEqual({ id, time });
  });

  it("are refused for another query, and when they are not cursors", () => {
    const cursor = encodeCursor(id, filter);
    expect(() => decodeCursor(cursor, { subject: "user:bob", since: filter.since })).toThrow(
      /belongs to another query/,
    );
    expect(() => decodeCursor(cursor, { subject: "user:alice" })).toThrow(CursorError);
    for (const bad of ["", "dc1_", "lt1_abc", `${cursor}x`, cursor.replace("dc1_", "dc2_")]) {
      expect(() => decodeCursor(bad, filter), bad).toThrow(
        /not a cursor that ListDecisions returned/,
      );
    }
  });
});
