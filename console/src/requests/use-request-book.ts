// The pending requests and approved grants, listed at one snapshot and then kept live by WatchAccessRequests.

import { useEffect, useState } from "preact/hooks";
import { withItems } from "../api/by-id.js";
import type { Clients } from "../api/clients.js";
import { UNARY_TIMEOUT_MS } from "../api/clients.js";
import { errorText, isCanceled } from "../api/error-text.js";
import { GRANTS, INBOX, type RequestBook } from "./request-book.js";

/** The most requests of each status the page lists. */
const MOST = 1000;

/** BookState is where the page's requests stand. */
export type BookState =
  | { readonly status: "loading" }
  | { readonly status: "failed"; readonly message: string }
  | {
      readonly status: "live" | "stopped";
      readonly book: RequestBook;
      /** Why live updates stopped, when they did. */
      readonly stopped?: string;
    };

/**
 * useRequestBook lists the pending and approved requests at one snapshot, then follows every
 * change after it, until the page goes away or round changes (a reload).
 */
export function useRequestBook(clients: Clients, round: number): BookState {
  const [state, setState] = useState<BookState>({ status: "loading" });
  // Lists and follows again on each reload (round).
  useEffect(() => {
    const abort = new AbortController();
    const { signal } = abort;
    setState({ status: "loading" });
    const follow = async () => {
      const pending = await clients.approvals.listAccessRequests(
        {
          status: INBOX,
          pageSize: MOST,
          consistency: { requirement: { case: "fullyConsistent", value: true } },
        },
        { signal, timeoutMs: UNARY_TIMEOUT_MS },
      );
      const approved = await clients.approvals.listAccessRequests(
        {
          status: GRANTS,
          pageSize: MOST,
          consistency: { requirement: { case: "atExactSnapshot", value: pending.readAt } },
        },
        { signal, timeoutMs: UNARY_TIMEOUT_MS },
      );
      let book = withItems(new Map(), [...pending.requests, ...approved.requests]);
      setState({ status: "live", book });
      const changes = clients.approvals.watchAccessRequests({ since: pending.readAt }, { signal });
      for await (const change of changes) {
        if (change.request !== undefined) {
          book = withItems(book, [change.request]);
          setState({ status: "live", book });
        }
      }
      return book;
    };
    follow().then(
      (book) => {
        if (!signal.aborted) {
          setState({ status: "stopped", book, stopped: "the server ended the stream" });
        }
      },
      (error: unknown) => {
        if (signal.aborted || isCanceled(error)) return;
        setState((previous) =>
          previous.status === "loading"
            ? { status: "failed", message: errorText(error) }
            : previous.status === "failed"
              ? previous
              : { status: "stopped", book: previous.book, stopped: errorText(error) },
        );
      },
    );
    return () => abort.abort();
  }, [clients, round]);
  return state;
}
