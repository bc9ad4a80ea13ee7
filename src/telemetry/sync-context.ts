// A context manager that keeps the active context for synchronous work only: no AsyncLocalStorage.

import { type Context, type ContextManager, ROOT_CONTEXT } from "@opentelemetry/api";

/**
 * SyncContextManager makes a context active while a function runs, and no longer: what runs after
 * an await sees the root context. Node 20's AsyncLocalStorage would carry it across awaits, but
 * once entered it runs a hook at the creation of every promise and every other asynchronous
 * resource of the process, sampled call or not, which costs a hot Check more than its trace is
 * worth; so the trace crosses awaits explicitly (a dispatch carries its context, a read point its
 * parent) and the active context serves the synchronous parts.
 */
export class SyncContextManager implements ContextManager {
  private current: Context = ROOT_CONTEXT;

  active(): Context {
    return this.current;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    const previous = this.current;
    this.current = context;
    try {
      return fn.call(thisArg, ...args);
    } finally {
      this.current = previous;
    }
  }

  bind<T>(context: Context, target: T): T {
    if (typeof target !== "function") return target;
    const manager = this;
    return function (this: unknown, ...args: unknown[]) {
      return manager.with(context, () => target.apply(this, args));
    } as T;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    this.current = ROOT_CONTEXT;
    return this;
  }
}
