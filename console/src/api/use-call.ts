// Calls as page state: loading, failed (in words) or done, abandoned when the page no longer needs them.

import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { errorText, isCanceled } from "./error-text.js";

/** CallState is where a call stands. */
export type CallState<T> =
  | { readonly status: "loading" }
  | { readonly status: "failed"; readonly message: string }
  | { readonly status: "done"; readonly value: T };

/**
 * useCall runs call whenever deps change (and on reload), aborting the previous run and any run
 * still going when the component goes away, so that a slow answer never lands on another page.
 */
export function useCall<T>(
  call: (signal: AbortSignal) => Promise<T>,
  deps: readonly unknown[],
): [CallState<T>, () => void] {
  const [state, setState] = useState<CallState<T>>({ status: "loading" });
  const [round, setRound] = useState(0);
  // The caller's deps say when to call again, and round when to retry.
  useEffect(() => {
    const abort = new AbortController();
    setState({ status: "loading" });
    call(abort.signal).then(
      (value) => {
        if (!abort.signal.aborted) setState({ status: "done", value });
      },
      (error: unknown) => {
        if (!abort.signal.aborted && !isCanceled(error)) {
          setState({ status: "failed", message: errorText(error) });
        }
      },
    );
    return () => abort.abort();
  }, [...deps, round]);
  return [state, () => setRound((n) => n + 1)];
}

/** ActionState is where a button's call stands: idle, running, or its error. */
export interface ActionState {
  readonly running: boolean;
  readonly error: string | undefined;
}

/**
 * useAction runs one action at a time (a button's call), keeping its error in words until the
 * next run; the action is aborted if the component goes away.
 */
export function useAction(): [
  ActionState,
  (action: (signal: AbortSignal) => Promise<void>) => void,
] {
  const [state, setState] = useState<ActionState>({ running: false, error: undefined });
  const abort = useRef<AbortController | undefined>(undefined);
  useEffect(() => () => abort.current?.abort(), []);
  const run = useCallback((action: (signal: AbortSignal) => Promise<void>) => {
    abort.current?.abort();
    const controller = new AbortController();
    abort.current = controller;
    setState({ running: true, error: undefined });
    action(controller.signal).then(
      () => {
        if (!controller.signal.aborted) setState({ running: false, error: undefined });
      },
      (error: unknown) => {
        if (!controller.signal.aborted) {
          setState({ running: false, error: errorText(error) });
        }
      },
    );
  }, []);
  return [state, run];
}
