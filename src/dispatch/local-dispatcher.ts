// The last link of the dispatcher chain: computes a dispatch from the store.

import { evaluateCheck } from "../engine/evaluate-check.js";
import type { Dispatcher } from "./dispatcher.js";

/** createLocalDispatcher returns the link that evaluates dispatches locally, calling back into the chain for sub-problems. */
export function createLocalDispatcher(): Dispatcher {
  return { dispatchCheck: evaluateCheck, answered: () => undefined };
}
