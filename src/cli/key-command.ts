// `latch key create`: a new API key secret and the line that configures its hash.

import { randomBytes } from "node:crypto";
import type { Command } from "commander";
import { hashApiKey, SCOPES, type Scope } from "../api/api-keys.js";
import type { CliIo } from "./cli-io.js";
import { printResult } from "./cli-output.js";
import { addJsonOption, type JsonOption } from "./shared-options.js";

/**
 * addKeyCommands registers `latch key create`: the secret and its LATCH_API_KEYS entry, or with
 * --json `{"name","scopes","secret","sha256","entry"}`.
 */
export function addKeyCommands(
  program: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
): void {
  addJsonOption(
    program
      .command("key")
      .description("API keys")
      .command("create <name>")
      .description(
        "make an API key: prints the secret (give it to the client, as LATCH_TOKEN) and its LATCH_API_KEYS entry (only the hash)",
      )
      .option("--scopes <list>", `comma-separated, of ${SCOPES.join(", ")}`, "check"),
  ).action((name: string, options: JsonOption & { scopes: string }) => {
    const scopes = options.scopes.split(",").map((s) => s.trim());
    const unknown = scopes.filter((s) => !SCOPES.includes(s as Scope));
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name) || unknown.length > 0) {
      io.stderr(
        unknown.length > 0
          ? `unknown scope ${unknown.join(", ")}: use ${SCOPES.join(", ")}\n`
          : "the name must be 1 to 64 of A-Z a-z 0-9 _ . -\n",
      );
      setExitCode(2);
      return;
    }
    const secret = `lk_${randomBytes(32).toString("base64url")}`;
    const sha256 = hashApiKey(secret);
    const entry = `${name}:${sha256}:${scopes.join("+")}`;
    printResult(io, options.json, { name, scopes, secret, sha256, entry }, () => [
      `secret (shown once; the server keeps only its hash): ${secret}`,
      `LATCH_API_KEYS entry: ${entry}`,
    ]);
  });
}
