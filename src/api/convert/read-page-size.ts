// Page sizes of the list methods (ListDecisions, ListSuspensions): 0 for the default, up to a bound.

import { RequestError } from "../request-error.js";

/** DEFAULT_PAGE_SIZE is a list page when the request says 0; MAX_PAGE_SIZE bounds it. */
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

/**
 * readPageSize reads the page size at field: {@link DEFAULT_PAGE_SIZE} for 0, and more than
 * {@link MAX_PAGE_SIZE} refused, naming the field.
 */
export function readPageSize(field: string, pageSize: number): number {
  if (pageSize > MAX_PAGE_SIZE) {
    throw new RequestError(field, `${field}: at most ${MAX_PAGE_SIZE}, got ${pageSize}`);
  }
  return pageSize === 0 ? DEFAULT_PAGE_SIZE : pageSize;
}
