// The load tests' dataset, generated the same way by every script from one seed: the seed script
// imports its relationships, and the check scripts ask its checks, whose answers it knows. It
// fits Latch's example schema (schema/agent.zed): a folder tree, documents spread over it with a
// Pareto fan-out, nested groups granted on folders, people granted on documents, and agents that
// act for the people who delegated to them. Every id starts with `lt_`, so the dataset sits beside
// other data without touching it.

/** ObjectRef is a resource or subject object, as the API's JSON names it. */
export interface ObjectRef {
  type: string;
  id: string;
}

/** SubjectRef is a subject: an object, or the subject set `object#relation`. */
export interface SubjectRef {
  object: ObjectRef;
  relation?: string;
}

/** Relationship is one relationship in the API's JSON form. */
export interface Relationship {
  resource: ObjectRef;
  relation: string;
  subject: SubjectRef;
}

/** SeededCheck is one question of the dataset and the answer Latch must give. */
export interface SeededCheck {
  document: string;
  user: string;
  /** The agent acting for the user, or "" for a check of the user alone. */
  agent: string;
  allowed: boolean;
}

/** Sizes are the dataset's proportions; documents sets its scale. */
export interface Sizes {
  documents: number;
  users: number;
  agents: number;
  groups: number;
  folders: number;
  checks: number;
}

/** sizesFor scales the dataset to a number of documents (10,000 unless the env says otherwise). */
export function sizesFor(documents: number): Sizes {
  if (!Number.isInteger(documents) || documents < 100) {
    throw new Error(`LATCH_DOCUMENTS must be an integer of at least 100, got ${documents}`);
  }
  return {
    documents,
    users: Math.ceil(documents / 5),
    agents: Math.ceil(documents / 50),
    groups: Math.ceil(documents / 100),
    folders: Math.ceil(documents / 30),
    checks: documents,
  };
}

/** documentsFromEnv reads LATCH_DOCUMENTS (default 10,000), the one knob every script shares. */
export function documentsFromEnv(env: Record<string, string | undefined>): number {
  const raw = env.LATCH_DOCUMENTS;
  return raw === undefined || raw === "" ? 10_000 : Number(raw);
}

/** Folder fan-out: each folder has up to this many child folders (a tree about five deep). */
const FOLDER_FAN_OUT = 4;
/** Groups nest in chains this deep: a member of a group is a member of its parent groups. */
const GROUP_NESTING = 3;
/** Pareto shape: a small share of folders hold most documents, a few people hold most grants. */
const PARETO_ALPHA = 1.16;
/** Share of checks asked on behalf of a person by an agent. */
const ON_BEHALF_SHARE = 0.25;
/** Share of on-behalf-of checks whose agent was not delegated by the person (denied). */
const UNDELEGATED_SHARE = 0.2;

/** random is mulberry32: small, fast and the same on every engine, so every script agrees. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** pareto draws an index below n, small indexes far more often (80/20 at the default shape). */
function pareto(random: () => number, n: number): number {
  const x = (1 / (1 - random())) ** (1 / PARETO_ALPHA) - 1;
  return Math.min(n - 1, Math.floor(x * (n / 20)));
}

function ref(type: string, id: string): ObjectRef {
  return { type, id };
}

function rel(resource: ObjectRef, relation: string, subject: SubjectRef): Relationship {
  return { resource, relation, subject };
}

const user = (i: number) => `lt_u${i}`;
const agent = (i: number) => `lt_a${i}`;
const group = (i: number) => `lt_g${i}`;
const folder = (i: number) => `lt_f${i}`;
const doc = (i: number) => `lt_d${i}`;

/** Dataset is the relationships to import and the checks with their answers. */
export interface Dataset {
  relationships: Relationship[];
  checks: SeededCheck[];
}

/**
 * generateDataset builds the dataset for sizes from seed. The answers come from the structure as
 * it is built (who holds a grant on which folder or document, directly or through nested groups,
 * and which folders lie above each document), not from asking a server.
 */
export function generateDataset(sizes: Sizes, seed = 15): Dataset {
  const random = seededRandom(seed);
  const relationships: Relationship[] = [];
  const folderParent: number[] = [-1];
  for (let f = 1; f < sizes.folders; f++) {
    folderParent.push(Math.floor((f - 1) / FOLDER_FAN_OUT));
    relationships.push(
      rel(ref("folder", folder(f)), "parent", sub("folder", folder(folderParent[f]!))),
    );
  }
  // Groups nest in chains: g is inside g - 1 unless g starts a chain.
  const groupMembers: Set<string>[] = [];
  for (let g = 0; g < sizes.groups; g++) groupMembers.push(new Set());
  for (let g = 0; g < sizes.groups; g++) {
    if (g % GROUP_NESTING !== 0) {
      relationships.push(
        rel(ref("group", group(g - 1)), "member", {
          object: ref("group", group(g)),
          relation: "member",
        }),
      );
    }
    const size = 2 + pareto(random, 40);
    for (let m = 0; m < size; m++) {
      const member =
        random() < 0.1
          ? `agent:${agent(pareto(random, sizes.agents))}`
          : `user:${user(pareto(random, sizes.users))}`;
      groupMembers[g]!.add(member);
    }
  }
  for (let g = 0; g < sizes.groups; g++) {
    for (const member of groupMembers[g]!) {
      const [type, id] = member.split(":") as [string, string];
      relationships.push(rel(ref("group", group(g)), "member", sub(type, id)));
    }
  }
  // A group's members, transitively: its own and those of the groups nested in it.
  const everyMember = (g: number): Set<string> => {
    const all = new Set<string>();
    for (let n = g; n < sizes.groups && (n === g || n % GROUP_NESTING !== 0); n++) {
      for (const m of groupMembers[n]!) all.add(m);
    }
    return all;
  };
  // Grants on folders (groups and people, as viewer or editor) and on documents (people, agents).
  const folderGrants = new Map<string, Set<number>>();
  const documentGrants = new Map<string, Set<number>>();
  const grant = (grants: Map<string, Set<number>>, subject: string, index: number) => {
    const held = grants.get(subject) ?? new Set<number>();
    grants.set(subject, held);
    held.add(index);
  };
  for (let g = 0; g < sizes.groups; g++) {
    const f = pareto(random, sizes.folders);
    relationships.push(
      rel(ref("folder", folder(f)), "viewer", {
        object: ref("group", group(g)),
        relation: "member",
      }),
    );
    for (const member of everyMember(g)) grant(folderGrants, member, f);
  }
  for (let f = 0; f < sizes.folders; f += 3) {
    const u = pareto(random, sizes.users);
    relationships.push(
      rel(ref("folder", folder(f)), random() < 0.5 ? "editor" : "viewer", sub("user", user(u))),
    );
    grant(folderGrants, `user:${user(u)}`, f);
  }
  const documentFolder: number[] = [];
  for (let d = 0; d < sizes.documents; d++) {
    const f = pareto(random, sizes.folders);
    documentFolder.push(f);
    relationships.push(rel(ref("document", doc(d)), "parent", sub("folder", folder(f))));
    const owner = pareto(random, sizes.users);
    relationships.push(rel(ref("document", doc(d)), "owner", sub("user", user(owner))));
    grant(documentGrants, `user:${user(owner)}`, d);
    if (random() < 0.3) {
      const viewer =
        random() < 0.2
          ? `agent:${agent(pareto(random, sizes.agents))}`
          : `user:${user(pareto(random, sizes.users))}`;
      const [type, id] = viewer.split(":") as [string, string];
      relationships.push(rel(ref("document", doc(d)), "viewer", sub(type, id)));
      grant(documentGrants, viewer, d);
    }
  }
  // Agents: an owner each, and principals who delegated to them.
  const actsFor: Set<string>[] = [];
  for (let a = 0; a < sizes.agents; a++) {
    const owner = user(pareto(random, sizes.users));
    relationships.push(rel(ref("agent", agent(a)), "owner", sub("user", owner)));
    const principals = new Set([owner]);
    const delegations = 1 + pareto(random, 10);
    for (let p = 0; p < delegations; p++) {
      const principal = user(pareto(random, sizes.users));
      if (principals.has(principal)) continue;
      principals.add(principal);
      relationships.push(rel(ref("agent", agent(a)), "principal", sub("user", principal)));
    }
    actsFor.push(principals);
  }
  const mayView = (subject: string, d: number): boolean => {
    if (documentGrants.get(subject)?.has(d)) return true;
    const folders = folderGrants.get(subject);
    if (folders === undefined) return false;
    for (let f = documentFolder[d]!; f !== -1; f = folderParent[f]!)
      if (folders.has(f)) return true;
    return false;
  };
  const checks: SeededCheck[] = [];
  for (let c = 0; c < sizes.checks; c++) {
    const d = pareto(random, sizes.documents);
    if (random() < ON_BEHALF_SHARE) {
      const a = pareto(random, sizes.agents);
      const principals = [...actsFor[a]!];
      const delegated = random() >= UNDELEGATED_SHARE;
      const u = delegated
        ? principals[Math.floor(random() * principals.length)]!
        : user(sizes.users - 1 - (c % sizes.users));
      const allowed =
        actsFor[a]!.has(u) && mayView(`user:${u}`, d) && mayView(`agent:${agent(a)}`, d);
      checks.push({ document: doc(d), user: u, agent: agent(a), allowed });
    } else {
      const u = user(pareto(random, sizes.users));
      checks.push({ document: doc(d), user: u, agent: "", allowed: mayView(`user:${u}`, d) });
    }
  }
  return { relationships, checks };
}

function sub(type: string, id: string): SubjectRef {
  return { object: ref(type, id) };
}
