// The redaction key: configured, or made once and kept beside the embedded database.

import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** SECRET_FILE is the file in the embedded database's directory that keeps a generated key. */
export const SECRET_FILE = "decisions-secret";

/** The length of a generated key, in bytes (written as hex). */
const GENERATED_BYTES = 32;

/**
 * loadRedactionSecret returns the HMAC key redaction hashes with: the configured secret's UTF-8
 * bytes when there is one (LATCH_DECISIONS_SECRET; every replica on one Postgres must share it,
 * so that equal values hash equally whichever replica recorded them), else the key kept in
 * `dataDir/decisions-secret`, made on first use (32 random bytes as hex, readable by the owner
 * only). The key is never stored in the database beside the hashes: whoever can read the log
 * cannot test guesses against them.
 */
export async function loadRedactionSecret(
  configured: string | undefined,
  dataDir: string,
): Promise<Buffer> {
  if (configured !== undefined) return Buffer.from(configured, "utf8");
  const path = join(dataDir, SECRET_FILE);
  try {
    return Buffer.from((await readFile(path, "utf8")).trim(), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const made = randomBytes(GENERATED_BYTES).toString("hex");
  await mkdir(dataDir, { recursive: true });
  try {
    // `wx`: of two processes making it at once, the second reads the first's.
    await writeFile(path, `${made}\n`, { mode: 0o600, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return Buffer.from((await readFile(path, "utf8")).trim(), "utf8");
  }
  return Buffer.from(made, "utf8");
}
