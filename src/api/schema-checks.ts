// Schema checks off the event loop: API calls parse and check schema text in a worker thread, bounded in time and memory.

import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type { Diagnostic } from "../schema/diagnostic.js";

/** SCHEMA_CHECK_TIME_LIMIT_MS bounds the time one schema check may take. */
export const SCHEMA_CHECK_TIME_LIMIT_MS = 10_000;

/** SCHEMA_CHECK_MEMORY_MB bounds the worker's heap; the largest schema allowed needs about 400 MB. */
export const SCHEMA_CHECK_MEMORY_MB = 1024;

/** MAX_WAITING_CHECKS bounds the checks queued behind the one running. */
export const MAX_WAITING_CHECKS = 8;

/** The worker exits after this long without work, giving its memory back. */
const IDLE_MS = 30_000;

/**
 * SchemaCheckLimitError is a check refused for the resources it would take: time, memory, or a
 * place in the queue.
 */
export class SchemaCheckLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SchemaCheckLimitError";
  }
}

/** SchemaChecks checks schema text off the event loop. */
export interface SchemaChecks {
  /** check resolves with the text's diagnostics: none when the schema loads. */
  check(text: string): Promise<readonly Diagnostic[]>;
}

/** SchemaChecksOptions tune the bounds; tests shorten them. */
export interface SchemaChecksOptions {
  readonly timeLimitMs?: number;
}

interface Task {
  readonly text: string;
  resolve(diagnostics: readonly Diagnostic[]): void;
  reject(error: unknown): void;
}

/**
 * createSchemaChecks runs checks one at a time in one worker thread, started on first use and
 * stopped when idle. A check over its time limit stops the worker (a fresh one takes the next
 * check); one over the memory limit ends the same way.
 */
export function createSchemaChecks(options: SchemaChecksOptions = {}): SchemaChecks {
  const timeLimitMs = options.timeLimitMs ?? SCHEMA_CHECK_TIME_LIMIT_MS;
  const waiting: Task[] = [];
  let running = false;
  let worker: Promise<Worker> | undefined;
  let idle: NodeJS.Timeout | undefined;

  const stop = () => {
    const stopping = worker;
    worker = undefined;
    void stopping?.then((w) => w.terminate()).catch(() => {});
  };

  const pump = async (): Promise<void> => {
    const task = running ? undefined : waiting.shift();
    if (task === undefined) return;
    running = true;
    clearTimeout(idle);
    try {
      worker ??= startWorker();
      task.resolve(await runCheck(await worker, task.text, timeLimitMs));
    } catch (error) {
      stop();
      task.reject(error);
    } finally {
      running = false;
      idle = setTimeout(stop, IDLE_MS).unref();
      void pump();
    }
  };

  return {
    check(text) {
      if (waiting.length >= MAX_WAITING_CHECKS) {
        return Promise.reject(
          new SchemaCheckLimitError(
            `schema: ${MAX_WAITING_CHECKS} schema checks are waiting already; retry later`,
          ),
        );
      }
      return new Promise((resolve, reject) => {
        waiting.push({ text, resolve, reject });
        void pump();
      });
    },
  };
}

/** startWorker starts the worker and resolves once it has loaded its modules. */
function startWorker(): Promise<Worker> {
  const worker = new Worker(...workerSource());
  worker.unref();
  return new Promise((resolve, reject) => {
    worker.once("message", () => resolve(worker));
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`the schema check worker exited (${code})`)));
  });
}

/**
 * runCheck sends text to the worker and resolves with its diagnostics, or rejects when the check
 * runs past timeLimitMs or the worker dies (out of memory, or a fault).
 */
function runCheck(worker: Worker, text: string, timeLimitMs: number): Promise<Diagnostic[]> {
  return new Promise((resolve, reject) => {
    const settle = () => {
      clearTimeout(timer);
      worker.off("message", onMessage);
      worker.off("error", onError);
    };
    const onMessage = (diagnostics: Diagnostic[]) => {
      settle();
      resolve(diagnostics);
    };
    const onError = (error: Error & { code?: string }) => {
      settle();
      reject(
        error.code === "ERR_WORKER_OUT_OF_MEMORY"
          ? new SchemaCheckLimitError(
              `schema: checking it needs more than ${SCHEMA_CHECK_MEMORY_MB} MB of memory; make the schema smaller`,
            )
          : error,
      );
    };
    const timer = setTimeout(() => {
      settle();
      reject(
        new SchemaCheckLimitError(
          `schema: checking it took more than ${timeLimitMs / 1000} s, the limit; make the schema smaller or simpler`,
        ),
      );
    }, timeLimitMs);
    worker.on("message", onMessage);
    worker.on("error", onError);
    worker.postMessage(text);
  });
}

/**
 * workerSource is the worker's script and options. Run from the TypeScript sources (tests, tsx),
 * the worker first registers tsx, as the main thread did, to load them.
 */
function workerSource(): [string | URL, WorkerOptions] {
  const resourceLimits = { maxOldGenerationSizeMb: SCHEMA_CHECK_MEMORY_MB };
  const extension = import.meta.url.endsWith(".ts") ? "ts" : "js";
  const script = new URL(`./schema-check-worker.${extension}`, import.meta.url);
  if (extension === "js") return [script, { resourceLimits }];
  const tsx = createRequire(import.meta.url)
    .resolve("tsx/esm/api")
    .replace(/\.cjs$/, ".mjs");
  const code = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(script.href)}); });`;
  return [code, { eval: true, resourceLimits }];
}

type WorkerOptions = NonNullable<ConstructorParameters<typeof Worker>[1]>;
