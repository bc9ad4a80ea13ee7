// The MCP gateway's YAML configuration: read with positions, so that every problem names its line.

import { readFile } from "node:fs/promises";
import { isMap, isNode, isScalar, LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { suggestName } from "../schema/suggest.js";

/** GatewayConfigError is a configuration the gateway cannot run with; each problem names its line. */
export class GatewayConfigError extends Error {
  readonly code = "gateway_config";
  constructor(readonly problems: readonly string[]) {
    super(problems.join("\n"));
    this.name = "GatewayConfigError";
  }
}

/** A name of a server: it starts every tool name the gateway lists (`docs__read`), so no `__`. */
const SERVER_NAME = /^[a-z][a-z0-9-]*(_[a-z0-9-]+)*$/;
const REFERENCE_TYPE = /^[a-z][a-z0-9_]{1,62}[a-z0-9]$/;
const OBJECT = /^[a-z][a-z0-9_]{1,62}[a-z0-9]:[a-zA-Z0-9/_|\-=+]{1,1024}$/;
const RELATION = /^[a-z][a-z0-9_]{1,62}[a-z0-9]$/;
const PARAMETER = /^[a-zA-Z_][a-zA-Z0-9_]{0,63}$/;

const toolRule = z
  .object({
    /** The resource checked instead of the tool's own: a fixed object, or one an argument names. */
    resource: z
      .object({
        type: z.string().regex(REFERENCE_TYPE, "a definition name such as document"),
        id: z.string().min(1).optional(),
        idArgument: z.string().min(1).optional(),
      })
      .strict()
      .refine((r) => (r.id === undefined) !== (r.idArgument === undefined), {
        message: "set exactly one of id and idArgument",
      })
      .optional(),
    permission: z.string().regex(RELATION, "a permission name such as view").optional(),
    /** Caveat parameter → the argument whose value it takes. */
    context: z
      .record(z.string().regex(PARAMETER, "a caveat parameter name"), z.string())
      .optional(),
  })
  .strict();

const server = z
  .object({
    command: z.array(z.string().min(1)).min(1, "the program and its arguments").optional(),
    /** Variables for the command, beside the few the SDK passes on (PATH, HOME, ...). */
    env: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "a variable name"), z.string())
      .optional(),
    url: z.url({ protocol: /^https?$/ }).optional(),
    tools: z.record(z.string().min(1), toolRule).optional(),
  })
  .strict()
  .refine((s) => (s.command === undefined) !== (s.url === undefined), {
    message: "set exactly one of command (stdio) and url (Streamable HTTP)",
  })
  .refine((s) => s.env === undefined || s.command !== undefined, {
    message: "env is for a command",
  });

const configSchema = z
  .object({
    listen: z
      .object({
        host: z.string().min(1).default("127.0.0.1"),
        port: z.number().int().min(0).max(65535).default(8090),
      })
      .strict()
      .default({ host: "127.0.0.1", port: 8090 }),
    identity: z
      .object({
        agentKeys: z
          .array(
            z
              .object({
                agent: z.string().regex(OBJECT, "an object such as agent:assistant"),
                sha256: z.string().regex(/^[0-9a-f]{64}$/, "64 lowercase hex digits"),
              })
              .strict(),
          )
          .default([]),
        jwt: z
          .object({
            jwksUrl: z.url({ protocol: /^https?$/ }).optional(),
            secretEnv: z
              .string()
              .regex(/^[A-Z_][A-Z0-9_]*$/, "an environment variable's name")
              .optional(),
            issuer: z.string().min(1).optional(),
            audience: z.string().min(1).optional(),
            subjectType: z.string().regex(REFERENCE_TYPE).default("user"),
            actorType: z.string().regex(REFERENCE_TYPE).default("agent"),
          })
          .strict()
          .refine((j) => (j.jwksUrl === undefined) !== (j.secretEnv === undefined), {
            message: "set exactly one of jwksUrl and secretEnv",
          })
          .optional(),
      })
      .strict(),
    servers: z
      .record(z.string().regex(SERVER_NAME, "lowercase letters, digits, - and single _"), server)
      .refine((s) => Object.keys(s).length > 0, { message: "name at least one server" }),
    accessRequests: z
      .object({ durationMinutes: z.number().int().min(1).max(43_200).default(60) })
      .strict()
      .default({ durationMinutes: 60 }),
    redactArguments: z.array(z.string().min(1)).default([]),
    limits: z
      .object({
        maxBodyBytes: z
          .number()
          .int()
          .min(1024)
          .max(64 * 1024 * 1024)
          .default(1024 * 1024),
        callTimeoutMs: z.number().int().min(100).max(3_600_000).default(60_000),
        maxSessions: z.number().int().min(1).max(100_000).default(1000),
        /** How long a session goes unused before a new one may take its place at maxSessions. */
        sessionIdleMs: z
          .number()
          .int()
          .min(1)
          .max(7 * 86_400_000)
          .default(30 * 60_000),
      })
      .strict()
      .default({
        maxBodyBytes: 1024 * 1024,
        callTimeoutMs: 60_000,
        maxSessions: 1000,
        sessionIdleMs: 30 * 60_000,
      }),
  })
  .strict();

/** GatewayConfig is a valid configuration, defaults filled in. */
export type GatewayConfig = z.infer<typeof configSchema>;
/** ServerConfig is one upstream server's entry. */
export type UpstreamConfig = z.infer<typeof server>;
/** ToolRule overrides how one tool is checked. */
export type ToolRule = z.infer<typeof toolRule>;

/** loadGatewayConfig reads and validates the file at path, or throws a GatewayConfigError. */
export async function loadGatewayConfig(path: string): Promise<GatewayConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new GatewayConfigError([`${path}: cannot read: ${(error as Error).message}`]);
  }
  return parseGatewayConfig(path, text);
}

/**
 * parseGatewayConfig validates text, the file at path: each problem as
 * `gateway.yaml:7:5: servers.docs.url: ...`, at the value (or, for a missing key, its mapping).
 */
export function parseGatewayConfig(path: string, text: string): GatewayConfig {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  if (document.errors.length > 0) {
    throw new GatewayConfigError(document.errors.map((e) => `${path}: ${e.message.trimEnd()}`));
  }
  const parsed = configSchema.safeParse(document.toJS() ?? {});
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.flatMap((issue) => {
    const keys = issue.path.map(String);
    const at = (node: unknown, field: string, message: string) => {
      const { line, col } = lines.linePos(isNode(node) ? (node.range?.[0] ?? 0) : 0);
      return `${path}:${line}:${col}: ${field === "" ? "" : `${field}: `}${message}`;
    };
    if (issue.code === "unrecognized_keys") {
      const map = document.getIn(keys, true);
      const known = knownKeys(configSchema, keys);
      return issue.keys.map((key) => {
        const hint = suggestName(key, known);
        const said =
          hint === undefined ? `; the keys are ${known.join(", ")}` : ` (did you mean '${hint}'?)`;
        return at(keyNode(map, key), keys.join("."), `unknown key '${key}'${said}`);
      });
    }
    if (issue.code === "invalid_key") {
      const parent = document.getIn(keys.slice(0, -1), true);
      const message = issue.issues[0]?.message ?? issue.message;
      return [
        at(keyNode(parent, keys.at(-1) ?? ""), keys.join("."), `not a valid name: ${message}`),
      ];
    }
    // The deepest node that exists: a missing key is reported at the mapping that lacks it.
    let node: unknown;
    for (let n = keys.length; n >= 0 && !isNode(node); n--)
      node = document.getIn(keys.slice(0, n), true);
    return [at(node, keys.join("."), issue.message)];
  });
  throw new GatewayConfigError(problems);
}

/** keyNode is the node of key in map, for its position; the map itself when it has none. */
function keyNode(map: unknown, key: string): unknown {
  if (!isMap(map)) return map;
  const pair = map.items.find((item) => isScalar(item.key) && String(item.key.value) === key);
  return pair?.key ?? map;
}

/** knownKeys are the keys the schema allows in the mapping at path. */
function knownKeys(schema: z.ZodType, path: readonly string[]): string[] {
  let at: z.ZodType | undefined = schema;
  for (const segment of path) {
    at = unwrapped(at);
    if (at instanceof z.ZodObject) at = (at.shape as Record<string, z.ZodType>)[segment];
    else if (at instanceof z.ZodRecord) at = at.valueType as z.ZodType;
    else if (at instanceof z.ZodArray) at = at.element as z.ZodType;
    else return [];
  }
  at = unwrapped(at);
  return at instanceof z.ZodObject ? Object.keys(at.shape) : [];
}

function unwrapped(schema: z.ZodType | undefined): z.ZodType | undefined {
  let at = schema;
  while (at instanceof z.ZodDefault || at instanceof z.ZodOptional) at = at.unwrap() as z.ZodType;
  return at;
}
