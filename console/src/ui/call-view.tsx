// A call's state on a page: a spinner while it runs, its error in words, or its answer.

import type { ComponentChildren } from "preact";
import type { CallState } from "../api/use-call.js";
import { ErrorNote } from "./error-note.js";
import { Loading } from "./loading.js";

/** CallViewProps are a call's state, what it loads (for the spinner), and how to show its answer. */
export interface CallViewProps<T> {
  readonly state: CallState<T>;
  readonly what: string;
  readonly onRetry: () => void;
  readonly children: (value: T) => ComponentChildren;
}

/** CallView renders state: loading, failed with a retry, or children's rendering of the answer. */
export function CallView<T>({ state, what, onRetry, children }: CallViewProps<T>) {
  if (state.status === "loading") return <Loading what={what} />;
  if (state.status === "failed") return <ErrorNote message={state.message} onRetry={onRetry} />;
  return <>{children(state.value)}</>;
}
