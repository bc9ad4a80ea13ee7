// The reason an action is not offered: the session's key lacks the scope its call needs.

import type { DescMethod } from "@bufbuild/protobuf";
import { useAllows } from "../api/access-context.js";
import { scopeOf } from "../api/key-access.js";

/** ScopeNoteProps name the call an action makes and the action, as the start of a sentence. */
export interface ScopeNoteProps {
  readonly method: DescMethod;
  readonly action: string;
}

/**
 * ScopeNote says, where a page would offer an action, that the key may not take it and which
 * scope it lacks; nothing when the key may. The page hides the action's controls itself.
 */
export function ScopeNote({ method, action }: ScopeNoteProps) {
  const allows = useAllows();
  if (allows(method)) return null;
  return (
    <p class="hint">
      {action} needs the scope <code>{scopeOf(method)}</code>, which this API key lacks.
    </p>
  );
}
