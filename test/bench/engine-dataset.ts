// The engine benchmark's dataset, shared by the benchmarks: schema, seeded generator, relationships.

import type { Relationship } from "../../src/tuple/relationship.js";
import { relationshipKey } from "../../src/tuple/relationship-key.js";

/** SCHEMA is the engine benchmark's schema: folders five deep, nested groups, banned users. */
export const SCHEMA = `definition user {}

definition group {
	relation member: user | group#member
}

definition folder {
	relation parent: folder
	relation viewer: user | group#member
	permission view = viewer + parent->view
}

definition document {
	relation parent: folder
	relation viewer: user | group#member
	relation banned: user
	permission view = (viewer + parent->view) - banned
}
`;

/** seededRandom is a small seeded generator (mulberry32), so every run checks the same sequence. */
export function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * generateDataset makes the engine benchmark's relationships (about 100,000) from random, so the
 * same seed gives the same dataset, and the checks drawn after it the same sequence.
 */
export function generateDataset(random: () => number): {
  relationships: Relationship[];
  documents: number;
  users: number;
} {
  const users = 10_000;
  const relationships: Relationship[] = [];
  const seen = new Set<string>();
  const pick = (n: number) => Math.floor(random() * n);
  const rel = (
    type: string,
    id: string,
    relation: string,
    subjectType: string,
    subjectId: string,
    subjectRelation?: string,
  ) => {
    const relationship = {
      resource: { type, id },
      relation,
      subject: { type: subjectType, id: subjectId, relation: subjectRelation },
    };
    const key = relationshipKey(relationship);
    if (seen.has(key)) return;
    seen.add(key);
    relationships.push(relationship);
  };

  // Groups three deep: 10 top groups, each with 10 middle groups, each with 10 leaf groups.
  for (let top = 0; top < 10; top++) {
    for (let mid = 0; mid < 10; mid++) {
      rel("group", `g${top}`, "member", "group", `g${top}_${mid}`, "member");
      for (let leaf = 0; leaf < 10; leaf++)
        rel("group", `g${top}_${mid}`, "member", "group", `g${top}_${mid}_${leaf}`, "member");
    }
  }
  for (let user = 0; user < users; user++) {
    for (let k = 0; k < 2; k++)
      rel("group", `g${pick(10)}_${pick(10)}_${pick(10)}`, "member", "user", `u${user}`);
  }
  // Folders five deep, five children each: 781 folders.
  const folders: string[] = ["f"];
  for (let level = 1; level < 5; level++) {
    for (const parent of folders.filter((f) => f.split("_").length === level)) {
      for (let child = 0; child < 5; child++) {
        const id = `${parent}_${child}`;
        folders.push(id);
        rel("folder", id, "parent", "folder", parent);
      }
    }
  }
  for (const folder of folders) {
    const depth = folder.split("_").length;
    if (depth >= 3)
      rel("folder", folder, "viewer", "group", `g${pick(10)}_${pick(10)}_${pick(10)}`, "member");
    for (let k = 0; k < 3; k++) rel("folder", folder, "viewer", "user", `u${pick(users)}`);
  }
  let documents = 0;
  while (relationships.length < 100_000) {
    const id = `d${documents++}`;
    rel("document", id, "parent", "folder", folders[folders.length - 1 - pick(625)]!);
    rel("document", id, "viewer", "user", `u${pick(users)}`);
    rel("document", id, "viewer", "user", `u${pick(users)}`);
    if (random() < 0.1) rel("document", id, "banned", "user", `u${pick(users)}`);
  }
  return { relationships, documents, users };
}
