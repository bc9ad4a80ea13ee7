// Runs one validation file: load the schema and relationships, then check assertions and expected relations.

import { createLocalDispatcher } from "../dispatch/local-dispatcher.js";
import { createCheckEngine, DEFAULT_MAX_DEPTH } from "../engine/check-engine.js";
import type { CompiledSchema } from "../schema/compiled-schema.js";
import type { Diagnostic } from "../schema/diagnostic.js";
import { loadSchema } from "../schema/load-schema.js";
import { createMemoryStore } from "../store/memory/memory-store.js";
import type { Store } from "../store/store.js";
import type { Relationship } from "../tuple/relationship.js";
import { loadRelationships } from "./load-relationships.js";
import { readValidationDocument } from "./read-validation-document.js";
import { runAssertion } from "./run-assertion.js";
import { runExpectation } from "./run-expectations.js";
import type { TextBlock, ValidationDocument } from "./validation-document.js";
import { type Problem, problemAt } from "./validation-problem.js";

/** FileReport is what a validation file holds and every problem found in it, in file order per block. */
export interface FileReport {
  readonly assertions: number;
  /** The `validation` entries (objects and relations whose subjects are listed). */
  readonly validations: number;
  readonly problems: readonly Problem[];
}

/** WRITE_BATCH is the most relationships written at once, the store's limit per write. */
const WRITE_BATCH = 1000;

/**
 * A relationship expiring within this margin is left out: it would expire while the file runs,
 * and the store refuses to write what has already expired.
 */
const EXPIRY_MARGIN_MS = 1000;

/**
 * validateFile runs a validation file in SpiceDB's format, as `zed validate` does. YAML, schema
 * and relationship errors stop the file before any check; otherwise every assertion and every
 * expected-relations entry runs against the relationships in a fresh in-memory store, read at the
 * current time (relationships that have expired are absent, as in SpiceDB). Checks and
 * expansions go at most maxDepth levels deep, the engine's depth limit by default.
 */
export async function validateFile(
  source: string,
  maxDepth = DEFAULT_MAX_DEPTH,
): Promise<FileReport> {
  const read = readValidationDocument(source);
  if (!read.ok) return { assertions: 0, validations: 0, problems: read.problems };
  const { document } = read;
  const report = (problems: readonly Problem[]): FileReport => ({
    assertions: document.assertions.length,
    validations: document.expectations.length,
    problems,
  });
  if (document.schema === undefined) {
    return report([problemAt({ line: 1, column: 1 }, "the file has no `schema`")]);
  }
  const loaded = loadSchema(document.schema.text);
  if (!loaded.ok) return report(schemaProblems(document.schema, loaded.diagnostics));
  const { relationships, problems } = loadRelationships(document.relationships, loaded.schema);
  if (problems.length > 0) return report(problems);
  const store = createMemoryStore();
  try {
    await writeAll(store, relationships);
    return report(await runChecks(store, loaded.schema, document, maxDepth));
  } finally {
    await store.close();
  }
}

/** schemaProblems places schema diagnostics in the YAML: the block's first line plus the schema line. */
function schemaProblems(schema: TextBlock, diagnostics: readonly Diagnostic[]): Problem[] {
  return diagnostics.map(({ message, span }) =>
    problemAt(schema.place(span.start.line, span.start.column), message),
  );
}

async function writeAll(store: Store, relationships: readonly Relationship[]): Promise<void> {
  const cutoff = Date.now() + EXPIRY_MARGIN_MS;
  const live = relationships.filter((rel) => (rel.expiresAt?.getTime() ?? Infinity) > cutoff);
  for (let start = 0; start < live.length; start += WRITE_BATCH) {
    const batch = live.slice(start, start + WRITE_BATCH);
    await store.write(batch.map((relationship) => ({ operation: "touch", relationship })));
  }
}

async function runChecks(
  store: Store,
  schema: CompiledSchema,
  document: ValidationDocument,
  maxDepth: number,
): Promise<Problem[]> {
  const reader = store.snapshot(await store.headRevision(), new Date());
  const engine = createCheckEngine({ schema, maxDepth, dispatcher: createLocalDispatcher() });
  const problems: Problem[] = [];
  for (const assertion of document.assertions) {
    const problem = await runAssertion(engine, reader, assertion);
    if (problem) problems.push(problem);
  }
  for (const expectation of document.expectations) {
    problems.push(...(await runExpectation(schema, reader, expectation, maxDepth)));
  }
  return problems;
}
