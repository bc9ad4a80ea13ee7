// A page that fails while rendering says so in words, and the rest of the console keeps working.

import type { ComponentChildren } from "preact";
import { useErrorBoundary } from "preact/hooks";
import { ErrorNote } from "../ui/error-note.js";

/** PageBoundary renders children, or the error that stopped them, with a way to try again. */
export function PageBoundary({ children }: { readonly children: ComponentChildren }) {
  const [error, reset] = useErrorBoundary();
  if (error !== undefined) {
    const message = error instanceof Error ? error.message : String(error);
    return <ErrorNote message={`This page failed: ${message}`} onRetry={reset} />;
  }
  return <>{children}</>;
}
