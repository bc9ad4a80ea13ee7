// A k6 script made runnable in Node: bundled by esbuild with its relative imports (TypeScript
// included), the k6 modules left to the runner, and compiled once into a factory that makes a
// fresh instance of the script for each VU, as k6 runs the init code once per VU. `__VU` and
// `__ITER` read the VU's context; `__ENV` and `open` are the run's.

import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { build } from "esbuild";
import { K6_MODULES, k6Modules } from "./k6-modules.js";
import { LoadTestError } from "./load-test-error.js";
import type { VuContext } from "./vu-context.js";

/** ScriptExports are what a script exports: options, the default function, setup, teardown... */
export type ScriptExports = Readonly<Record<string, unknown>>;

/** ScriptFactory makes one instance of the script (its init code run) for a VU. */
export type ScriptFactory = (vu: VuContext) => ScriptExports;

type Compiled = (
  require: (name: string) => unknown,
  module: { exports: Record<string, unknown> },
  exports: Record<string, unknown>,
  __ENV: Record<string, string>,
  __k6vu: VuContext,
  open: (path: string, mode?: string) => string | ArrayBuffer,
) => void;

/** bundleScript bundles the script at path and returns its factory. */
export async function bundleScript(
  path: string,
  env: Record<string, string>,
): Promise<ScriptFactory> {
  let code: string;
  try {
    const bundled = await build({
      entryPoints: [path],
      bundle: true,
      write: false,
      format: "cjs",
      platform: "neutral",
      target: "es2022",
      external: [...K6_MODULES],
      define: { __VU: "__k6vu.id", __ITER: "__k6vu.iteration" },
      logLevel: "silent",
    });
    code = bundled.outputFiles[0]!.text;
  } catch (error) {
    throw new LoadTestError("bundle", `cannot bundle ${path}: ${(error as Error).message}`);
  }
  const compiled = new Function(
    "require",
    "module",
    "exports",
    "__ENV",
    "__k6vu",
    "open",
    code,
  ) as Compiled;
  const directory = dirname(resolve(path));
  const open = (file: string, mode?: string): string | ArrayBuffer => {
    const bytes = readFileSync(resolve(directory, file));
    return mode === "b"
      ? bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
      : bytes.toString("utf8");
  };
  return (vu) => {
    const modules = k6Modules(vu);
    const require = (name: string): unknown => {
      const found = modules[name];
      if (found === undefined)
        throw new LoadTestError("unsupported", `the runner has no module ${name}`);
      return found;
    };
    const module = { exports: {} as Record<string, unknown> };
    compiled(require, module, module.exports, env, vu, open);
    return module.exports;
  };
}
