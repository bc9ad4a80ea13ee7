// What the sessions share beyond the servers: which session a server's own messages go to.

import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ErrorCode,
  ListRootsRequestSchema,
  type LoggingLevel,
  LoggingLevelSchema,
  LoggingMessageNotificationSchema,
  McpError,
  PromptListChangedNotificationSchema,
  ResourceListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import type { Authorizer } from "./authorizer.js";
import { type HubSession, ResourceSubscriptions } from "./resource-subscriptions.js";
import type { Upstream, Upstreams } from "./upstreams.js";

const SEVERITY = new Map(LoggingLevelSchema.options.map((level, i) => [level, i]));

/** RelayError is a server's request to a client that the gateway cannot place or pass on. */
export class RelayError extends McpError {
  readonly reason = "relay_refused";
  constructor(message: string) {
    super(ErrorCode.InvalidRequest, message);
    this.name = "RelayError";
  }
}

/**
 * SessionHub routes what a server sends on its own to the sessions. The connection to a server
 * is shared by every session, so: list changes go to every session (each lists again, through
 * its own checks); a resource update goes to the sessions subscribed to it (see
 * {@link ResourceSubscriptions}); a log message, and a request to the client (sampling,
 * elicitation, roots), goes to the one session with a call in flight on that server — with none
 * or several the log message is not delivered and the request is refused, since a shared
 * connection does not say whose call it is about and another person's session must not see it.
 * A client's change of roots goes to every server.
 */
export class SessionHub {
  readonly subscriptions: ResourceSubscriptions;
  private readonly sessions = new Set<HubSession>();
  private readonly levels = new Map<HubSession, LoggingLevel>();
  private readonly calling = new Map<Upstream, Map<HubSession, number>>();

  constructor(
    private readonly upstreams: Upstreams,
    authorizer: Authorizer,
    private readonly timeoutMs: number,
  ) {
    this.subscriptions = new ResourceSubscriptions(authorizer, timeoutMs);
    for (const upstream of upstreams.all) this.listen(upstream);
  }

  /** join adds a session; leave removes it with its subscriptions. */
  join(session: HubSession): void {
    this.sessions.add(session);
  }

  async leave(session: HubSession): Promise<void> {
    this.sessions.delete(session);
    this.levels.delete(session);
    await this.subscriptions.leave(session);
  }

  /** during runs a call of session on upstream, marking it in flight while it runs. */
  async during<T>(session: HubSession, upstream: Upstream, call: () => Promise<T>): Promise<T> {
    const calls = this.calling.get(upstream) ?? new Map<HubSession, number>();
    this.calling.set(upstream, calls);
    calls.set(session, (calls.get(session) ?? 0) + 1);
    try {
      return await call();
    } finally {
      const left = (calls.get(session) ?? 1) - 1;
      if (left === 0) calls.delete(session);
      else calls.set(session, left);
    }
  }

  /**
   * rootsChanged tells every server that a client's roots changed: a server asks for roots
   * during a call, and is then answered by the session calling, so each should ask again.
   */
  async rootsChanged(): Promise<void> {
    await Promise.allSettled(this.upstreams.all.map((u) => u.client.sendRootsListChanged()));
  }

  /**
   * setLevel records session's log level and asks every server with logging for the most verbose
   * level any session set; each session's own level filters what it is sent.
   */
  async setLevel(session: HubSession, level: LoggingLevel): Promise<void> {
    this.levels.set(session, level);
    const lowest = [...this.levels.values()].reduce((a, b) => (severity(b) < severity(a) ? b : a));
    await Promise.all(
      this.upstreams.all
        .filter((u) => u.client.getServerCapabilities()?.logging !== undefined)
        .map((u) => u.client.setLoggingLevel(lowest, { timeout: this.timeoutMs })),
    );
  }

  private listen(upstream: Upstream): void {
    const { client } = upstream;
    const toAll = (method: string) => () => {
      for (const session of this.sessions)
        void session.server.notification({ method }).catch(() => {});
    };
    client.setNotificationHandler(
      ToolListChangedNotificationSchema,
      toAll("notifications/tools/list_changed"),
    );
    client.setNotificationHandler(
      ResourceListChangedNotificationSchema,
      toAll("notifications/resources/list_changed"),
    );
    client.setNotificationHandler(
      PromptListChangedNotificationSchema,
      toAll("notifications/prompts/list_changed"),
    );
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, async (notification) => {
      await this.subscriptions.updated(upstream, notification.params.uri).catch(() => {});
    });
    client.setNotificationHandler(LoggingMessageNotificationSchema, async (notification) => {
      const session = this.caller(upstream);
      if (session === undefined) return;
      const level = this.levels.get(session);
      if (level !== undefined && severity(notification.params.level) < severity(level)) return;
      await session.server.sendLoggingMessage(notification.params).catch(() => {});
    });
    const options = (signal: AbortSignal) => ({ timeout: this.timeoutMs, signal });
    client.setRequestHandler(CreateMessageRequestSchema, (request, extra) =>
      this.placed(upstream, "sampling", request.method).server.createMessage(
        request.params,
        options(extra.signal),
      ),
    );
    client.setRequestHandler(ElicitRequestSchema, (request, extra) =>
      this.placed(upstream, "elicitation", request.method).server.elicitInput(
        request.params,
        options(extra.signal),
      ),
    );
    client.setRequestHandler(ListRootsRequestSchema, (request, extra) =>
      this.placed(upstream, "roots", request.method).server.listRoots(
        request.params,
        options(extra.signal),
      ),
    );
  }

  /** caller is the one session with calls in flight on upstream, if exactly one has. */
  private caller(upstream: Upstream): HubSession | undefined {
    const callers = [...(this.calling.get(upstream)?.keys() ?? [])];
    return callers.length === 1 ? callers[0] : undefined;
  }

  /** placed is the session a server's request goes to, or throws why there is none. */
  private placed(
    upstream: Upstream,
    capability: "sampling" | "elicitation" | "roots",
    method: string,
  ): HubSession {
    const callers = this.calling.get(upstream)?.size ?? 0;
    const session = this.caller(upstream);
    if (session === undefined) {
      throw new RelayError(
        callers === 0
          ? `${method}: the gateway passes a server's request on only during a call to it, and none is in flight`
          : `${method}: ${callers} sessions have calls to server ${upstream.name} in flight; the gateway cannot tell whose this is`,
      );
    }
    if (session.server.getClientCapabilities()?.[capability] === undefined)
      throw new RelayError(`${method}: the client calling does not support ${capability}`);
    return session;
  }
}

function severity(level: LoggingLevel): number {
  return SEVERITY.get(level) ?? 0;
}
