// The schema every request runs against: loaded from the store, compiled once per schema write.

import { loadServedSchema } from "../agents/builtin-schema.js";
import type { Dispatcher } from "../dispatch/dispatcher.js";
import { createLocalDispatcher } from "../dispatch/local-dispatcher.js";
import { createTracingDispatcher } from "../dispatch/tracing-dispatcher.js";
import {
  type CheckEngine,
  type CheckEngineOptions,
  createCheckEngine,
  DEFAULT_MAX_DEPTH,
} from "../engine/check-engine.js";
import { createLookupEngine, type LookupEngine } from "../engine/lookup-engine.js";
import type { Revision } from "../revision/revision.js";
import type { CompiledSchema } from "../schema/compiled-schema.js";
import { formatDiagnostic } from "../schema/diagnostic.js";
import type { Store } from "../store/store.js";
import type { TraceSettings } from "../telemetry/tracing.js";

/** Engines answer checks and lookups over one schema. */
export interface Engines {
  readonly checks: CheckEngine;
  readonly lookups: LookupEngine;
}

/**
 * ActiveSchema is a stored schema, compiled, with the engines that answer over it: `cached`
 * through the result cache (for reads at the change tracker's revision), `fresh` straight from
 * the store (any other revision).
 */
export interface ActiveSchema {
  readonly text: string;
  readonly revision: Revision;
  readonly compiled: CompiledSchema;
  readonly cached: Engines;
  readonly fresh: Engines;
}

/**
 * EngineSettings are the server's settings for the engines of every schema, and how it traces
 * their dispatches (not at all without `tracing`).
 */
export interface EngineSettings extends Pick<CheckEngineOptions, "maxDepth" | "actForPermission"> {
  readonly tracing?: TraceSettings;
}

/** DispatcherFactory makes the cached dispatcher chain for one schema, from its cache key prefix. */
export type DispatcherFactory = (keyPrefix: string) => Dispatcher;

/**
 * SchemaSource keeps the store's schema compiled. Every read of the store's head says which
 * revision wrote the newest schema; when that is not the one compiled here (another replica
 * wrote one), the source loads and compiles it again, once for all the requests that noticed.
 */
export class SchemaSource {
  private active: ActiveSchema | undefined;
  private loading: Promise<ActiveSchema | undefined> | undefined;

  constructor(
    private readonly store: Store,
    private readonly cachedDispatcher?: DispatcherFactory,
    private readonly settings: EngineSettings = {},
  ) {}

  /**
   * latest is the newest schema this process has compiled, without asking the store: what reads
   * at the change tracker's revision use (see {@link refresh}).
   */
  get latest(): ActiveSchema | undefined {
    return this.active;
  }

  /**
   * at returns the schema written at schemaRevision (the store head's), or undefined when none has
   * been written (revision 0).
   */
  async at(schemaRevision: Revision): Promise<ActiveSchema | undefined> {
    if (schemaRevision === 0) return undefined;
    const active = this.active;
    if (active !== undefined && active.revision >= schemaRevision) return active;
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  /** activate installs a schema this process has just written. */
  activate(text: string, revision: Revision, compiled: CompiledSchema): ActiveSchema {
    const keyPrefix = `${revision}|`;
    const active = makeActive(
      text,
      revision,
      compiled,
      this.settings,
      this.cachedDispatcher?.(keyPrefix),
    );
    if (this.active === undefined || this.active.revision < revision) this.active = active;
    return active;
  }

  private async load(): Promise<ActiveSchema | undefined> {
    const stored = await this.store.readSchema();
    if (stored === undefined) return undefined;
    const loaded = loadServedSchema(stored.text);
    if (!loaded.ok) {
      // Only schemas that load are written; this one was changed behind Latch's back.
      const problems = loaded.diagnostics.map((d) => formatDiagnostic("schema", d)).join("\n");
      throw new Error(`the stored schema does not load:\n${problems}`);
    }
    return this.activate(stored.text, stored.revision, loaded.schema);
  }
}

function makeActive(
  text: string,
  revision: Revision,
  compiled: CompiledSchema,
  settings: EngineSettings,
  dispatcher: Dispatcher | undefined,
): ActiveSchema {
  const fresh = engines(compiled, settings, createLocalDispatcher());
  return {
    text,
    revision,
    compiled,
    fresh,
    cached: dispatcher === undefined ? fresh : engines(compiled, settings, dispatcher),
  };
}

function engines(
  schema: CompiledSchema,
  { tracing, ...settings }: EngineSettings,
  chain: Dispatcher,
): Engines {
  const dispatcher =
    tracing === undefined
      ? chain
      : createTracingDispatcher(chain, settings.maxDepth ?? DEFAULT_MAX_DEPTH, tracing);
  const checks = createCheckEngine({ schema, dispatcher, ...settings });
  return { checks, lookups: createLookupEngine({ schema, checkEngine: checks }) };
}
