// Latch's built-in definitions, added to every schema the server compiles: suspensions and access requests live there.

import {
  ACCESS_REQUEST_DEFINITION,
  ACCESS_REQUEST_NOTE_CAVEAT,
  ACCESS_REQUEST_NOTE_TEXT,
  STORED_STATUSES,
} from "../approvals/access-request-names.js";
import type { WrittenSchemaAst } from "../schema/ast.js";
import type { CompiledCaveat } from "../schema/caveat/compiled-caveat.js";
import type {
  AllowedSubject,
  CompiledSchema,
  ObjectDefinition,
  RelationDefinition,
} from "../schema/compiled-schema.js";
import { assembleSchema } from "../schema/compiler.js";
import { compareDiagnostics, type Diagnostic } from "../schema/diagnostic.js";
import { type LoadResult, loadSchema } from "../schema/load-schema.js";
import {
  isReservedName,
  RESERVED_PREFIX,
  SUSPENDED_RELATION,
  SUSPENSION_DEFINITION,
  SUSPENSION_NOTE_CAVEAT,
} from "./suspension-names.js";

/** The built-in caveat, in the schema language: compiled once, by the same compiler as any. */
const NOTE_CAVEAT_TEXT = `caveat ${SUSPENSION_NOTE_CAVEAT}(reason string, suspended_by string, suspended_at timestamp) {
  true
}
`;

const compiledCaveats = new Map<string, CompiledCaveat>();

/** compiledCaveat is the built-in caveat name defined by text, compiled at its first use. */
function compiledCaveat(name: string, text: string): CompiledCaveat {
  const known = compiledCaveats.get(name);
  if (known !== undefined) return known;
  const loaded = loadSchema(text);
  const compiled = loaded.ok ? loaded.schema.caveats.get(name) : undefined;
  if (compiled === undefined) throw new Error(`the built-in caveat ${name} does not compile`);
  compiledCaveats.set(name, compiled);
  return compiled;
}

/**
 * withBuiltinDefinitions returns schema with Latch's built-in caveat and definition added:
 * `latch/suspension`, whose relation `suspended` admits every definition T of schema as `T` and
 * `T:*`, each with the caveat `latch/suspension_note`, with or without an expiration; and
 * `latch/access_request`, whose relations (one a status) admit the request itself, with the caveat
 * `latch/access_request_note`. The schema itself must not use the `latch/` prefix (see
 * {@link loadServedSchema}).
 */
export function withBuiltinDefinitions(schema: CompiledSchema): CompiledSchema {
  const allowedSubjects: AllowedSubject[] = [];
  for (const type of schema.definitions.keys()) {
    for (const wildcard of [false, true]) {
      for (const expiration of [false, true]) {
        allowedSubjects.push({ type, wildcard, caveat: SUSPENSION_NOTE_CAVEAT, expiration });
      }
    }
  }
  const suspended: RelationDefinition = {
    kind: "relation",
    definition: SUSPENSION_DEFINITION,
    name: SUSPENDED_RELATION,
    allowedSubjects,
    doc: "the subjects suspended: denied in every check whose chain holds them",
  };
  const suspension: ObjectDefinition = {
    name: SUSPENSION_DEFINITION,
    doc: "Latch's suspensions, written through AgentService",
    members: new Map([[SUSPENDED_RELATION, suspended]]),
  };
  const definitions = new Map(schema.definitions)
    .set(SUSPENSION_DEFINITION, suspension)
    .set(ACCESS_REQUEST_DEFINITION, accessRequestDefinition());
  const caveats = new Map(schema.caveats)
    .set(SUSPENSION_NOTE_CAVEAT, compiledCaveat(SUSPENSION_NOTE_CAVEAT, NOTE_CAVEAT_TEXT))
    .set(
      ACCESS_REQUEST_NOTE_CAVEAT,
      compiledCaveat(ACCESS_REQUEST_NOTE_CAVEAT, ACCESS_REQUEST_NOTE_TEXT),
    );
  return assembleSchema(definitions, caveats, schema.useExpiration);
}

/**
 * accessRequestDefinition is `latch/access_request`: a request's one record is on the relation of
 * its status, its subject the request itself (`latch/access_request:ID#pending@latch/access_request:ID`).
 */
function accessRequestDefinition(): ObjectDefinition {
  const allowedSubjects: AllowedSubject[] = [
    {
      type: ACCESS_REQUEST_DEFINITION,
      wildcard: false,
      caveat: ACCESS_REQUEST_NOTE_CAVEAT,
      expiration: false,
    },
  ];
  const members = new Map<string, RelationDefinition>(
    STORED_STATUSES.map((status) => [
      status,
      {
        kind: "relation",
        definition: ACCESS_REQUEST_DEFINITION,
        name: status,
        allowedSubjects,
        doc: `the record of a request that is ${status}`,
      },
    ]),
  );
  return {
    name: ACCESS_REQUEST_DEFINITION,
    doc: "Latch's access requests, written through ApprovalService",
    members,
  };
}

/**
 * loadServedSchema loads schema text as the server serves it: the errors of
 * {@link loadUserSchema}, or the compiled schema with the built-in definitions added.
 */
export function loadServedSchema(text: string): LoadResult {
  const loaded = loadUserSchema(text);
  return loaded.ok ? { ...loaded, schema: withBuiltinDefinitions(loaded.schema) } : loaded;
}

/**
 * loadUserSchema loads schema text as a server accepts it from a user: the text's own errors, and
 * its definitions and caveats that use the reserved prefix, as errors; else the compiled schema
 * as written, without the built-in definitions (`latch schema check` counts the user's own).
 */
export function loadUserSchema(text: string): LoadResult {
  const loaded = loadSchema(text);
  const reserved = reservedNameDiagnostics(loaded.ast);
  if (reserved.length === 0) return loaded;
  const diagnostics = loaded.ok ? [] : [...loaded.diagnostics];
  // A report cut at its limit ends with the diagnostic saying so: nothing goes after it.
  if (diagnostics.at(-1)?.code !== "limit") {
    diagnostics.push(...reserved);
    diagnostics.sort(compareDiagnostics);
  }
  return { ok: false, diagnostics, ast: loaded.ast };
}

/** reservedNameDiagnostics lists the definitions and caveats of ast named with the reserved prefix. */
function reservedNameDiagnostics(ast: WrittenSchemaAst): Diagnostic[] {
  return ast.items.flatMap((item) => {
    if (item.kind === "use" || !isReservedName(item.name.value)) return [];
    return [
      {
        code: "reserved-name" as const,
        message: `${item.kind} '${item.name.value}': the prefix '${RESERVED_PREFIX}' is reserved for Latch's built-in definitions; rename it (suspensions are written through AgentService, access requests through ApprovalService, not the schema)`,
        span: item.name.span,
      },
    ];
  });
}
