// Paging through a list at one revision: the first page at the consistency asked, the rest at its snapshot.

import { MAX_PAGE_SIZE } from "../api/convert/read-page-size.js";
import type { ConsistencyInit } from "./shared-options.js";

/** PageRequest is what each page of a list asks: the most a page holds, where to resume, when. */
export interface PageRequest {
  readonly pageSize: number;
  readonly cursor: string;
  readonly consistency?: ConsistencyInit;
}

/**
 * snapshotPages yields every page of a list: the first read at `consistency` (the server's
 * default when undefined), the others at the first one's snapshot, so that the whole list is of
 * one revision.
 */
export async function* snapshotPages<Page extends { readAt: string; nextCursor: string }>(
  consistency: ConsistencyInit | undefined,
  read: (request: PageRequest) => Promise<Page>,
): AsyncGenerator<Page> {
  let at = consistency;
  let cursor = "";
  do {
    const page = await read({
      pageSize: MAX_PAGE_SIZE,
      cursor,
      ...(at === undefined ? {} : { consistency: at }),
    });
    yield page;
    at = { requirement: { case: "atExactSnapshot", value: page.readAt } };
    cursor = page.nextCursor;
  } while (cursor !== "");
}
