// The signed-in key's access, given to every page through a Preact context.

import type { DescMethod } from "@bufbuild/protobuf";
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import { allows, type KeyAccess } from "./key-access.js";

/** AccessContext holds what the session's key may do. */
export const AccessContext = createContext<KeyAccess | undefined>(undefined);

/** useAllows returns whether the session's key may call a method; the app renders pages only once signed in. */
export function useAllows(): (method: DescMethod) => boolean {
  const access = useContext(AccessContext);
  if (access === undefined) throw new Error("useAllows outside a signed-in session");
  return (method) => allows(access, method);
}
