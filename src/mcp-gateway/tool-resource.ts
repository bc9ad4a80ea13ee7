// What Latch is asked about for a tool, a resource or a prompt of an upstream MCP server.

import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import type { ToolRule } from "./gateway-config.js";

/** The types of the objects the gateway checks: tools, resources (by URI) and prompts. */
export const TOOL_TYPE = "mcp_tool";
export const RESOURCE_TYPE = "mcp_resource";
export const PROMPT_TYPE = "mcp_prompt";
/** The permissions checked on them, unless a tool's rule says otherwise. */
export const TOOL_PERMISSION = "call";
export const RESOURCE_PERMISSION = "read";
export const PROMPT_PERMISSION = "get";

/** The longest object id Latch (as SpiceDB) accepts. */
const MAX_ID_LENGTH = 1024;
/** Characters an object id may hold that stand for themselves in an encoded name. */
const PLAIN = /[A-Za-z0-9_|\-+]/;

/** CheckTarget is one question for Latch: permission on resource, with caveat context. */
export interface CheckTarget {
  readonly resource: { readonly type: string; readonly id: string };
  readonly permission: string;
  readonly context?: JsonObject;
}

/** TargetProblem is why no question could be made: the call is refused with it as the reason. */
export interface TargetProblem {
  readonly problem: string;
}

/**
 * objectId is the object id of name on server: `server/name`, each character of either that an
 * object id may not hold, and `/` and `=`, written as `=` and two hex digits per UTF-8 byte
 * (`docs/read=2Efile` for `read.file`). Ids are at most 1,024 characters: undefined beyond.
 */
export function objectId(server: string, name: string): string | undefined {
  const id = `${encodeName(server)}/${encodeName(name)}`;
  return id.length > MAX_ID_LENGTH ? undefined : id;
}

function encodeName(name: string): string {
  let out = "";
  for (const char of name) {
    if (PLAIN.test(char)) out += char;
    else
      for (const byte of Buffer.from(char, "utf8"))
        out += `=${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** namedTarget is the question for a resource URI or prompt name of server, of type. */
export function namedTarget(
  type: typeof RESOURCE_TYPE | typeof PROMPT_TYPE,
  server: string,
  name: string,
): CheckTarget | TargetProblem {
  const id = objectId(server, name);
  if (id === undefined) return { problem: `${name} is too long to name an object of ${type}` };
  return {
    resource: { type, id },
    permission: type === RESOURCE_TYPE ? RESOURCE_PERMISSION : PROMPT_PERMISSION,
  };
}

/**
 * toolGate is the question that decides whether the tool is listed: its rule's fixed resource,
 * else `mcp_tool:<server/tool>#call`. Arguments are unknown when listing, so no context.
 */
export function toolGate(
  server: string,
  tool: string,
  rule: ToolRule | undefined,
): CheckTarget | TargetProblem {
  if (rule?.resource?.id !== undefined) {
    return {
      resource: { type: rule.resource.type, id: rule.resource.id },
      permission: rule.permission ?? TOOL_PERMISSION,
    };
  }
  const id = objectId(server, tool);
  if (id === undefined)
    return { problem: `the tool's name is too long to name an object of ${TOOL_TYPE}` };
  return { resource: { type: TOOL_TYPE, id }, permission: TOOL_PERMISSION };
}

/**
 * callTargets are the questions a call with args must pass: the tool's gate, and, when its rule
 * takes the resource from an argument, that resource (`document_id: q3` → `document:q3#view`),
 * each with the caveat context its rule maps from the arguments.
 */
export function callTargets(
  server: string,
  tool: string,
  rule: ToolRule | undefined,
  args: Readonly<Record<string, unknown>>,
): CheckTarget[] | TargetProblem {
  const gate = toolGate(server, tool, rule);
  if ("problem" in gate) return gate;
  const context = mappedContext(rule, args);
  const withContext = (target: CheckTarget) =>
    context === undefined ? target : { ...target, context };
  const argument = rule?.resource?.idArgument;
  if (argument === undefined) return [withContext(gate)];
  const id = args[argument];
  if ((typeof id !== "string" && typeof id !== "number") || !VALID_ID.test(String(id))) {
    return { problem: `argument ${argument} must name an object id (${VALID_ID_TEXT})` };
  }
  const resource = { type: rule!.resource!.type, id: String(id) };
  return [
    withContext(gate),
    withContext({ resource, permission: rule?.permission ?? TOOL_PERMISSION }),
  ];
}

const VALID_ID = /^[a-zA-Z0-9/_|\-=+]{1,1024}$/;
const VALID_ID_TEXT = "1 to 1,024 of a-z, A-Z, 0-9 and / _ | - = +";

function mappedContext(
  rule: ToolRule | undefined,
  args: Readonly<Record<string, unknown>>,
): JsonObject | undefined {
  if (rule?.context === undefined) return undefined;
  const value: Record<string, JsonValue> = {};
  for (const [parameter, argument] of Object.entries(rule.context)) {
    const given = args[argument];
    // A missing argument leaves the parameter out: a caveat that needs it is then not met.
    if (given === undefined) continue;
    value[parameter] = given as JsonValue;
  }
  return value;
}
