// Resource subscriptions: one upstream subscription per resource, its updates to the sessions that asked.

import type { JsonObject } from "@bufbuild/protobuf";
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import type { Authorizer } from "./authorizer.js";
import type { Identity } from "./identity.js";
import { namedTarget, RESOURCE_TYPE } from "./tool-resource.js";
import type { Upstream } from "./upstreams.js";

/** HubSession is one client's session as what the sessions share sees it. */
export interface HubSession {
  readonly server: Server;
  readonly identity: Identity;
}

interface Subscription {
  readonly upstream: Upstream;
  readonly uri: string;
  readonly sessions: Set<HubSession>;
}

/**
 * ResourceSubscriptions subscribe to a server's resource once, whichever sessions asked for it,
 * and unsubscribe when the last of them unsubscribes or ends. An update is delivered to each
 * subscribed session whose chain Latch still lets read the resource: it is asked again (one
 * CheckBulk per session, recorded as `notifications/resources/updated`), since a grant may have
 * ended since the subscription.
 */
export class ResourceSubscriptions {
  private readonly byResource = new Map<string, Subscription>();

  constructor(
    private readonly authorizer: Authorizer,
    private readonly timeoutMs: number,
  ) {}

  /** subscribe adds session to the subscribers of uri on upstream, subscribing upstream for the first. */
  async subscribe(session: HubSession, upstream: Upstream, uri: string): Promise<void> {
    const key = keyOf(upstream, uri);
    const known = this.byResource.get(key);
    if (known !== undefined) {
      known.sessions.add(session);
      return;
    }
    this.byResource.set(key, { upstream, uri, sessions: new Set([session]) });
    try {
      await upstream.client.subscribeResource({ uri }, { timeout: this.timeoutMs });
    } catch (error) {
      this.byResource.delete(key);
      throw error;
    }
  }

  /** unsubscribe removes session from uri's subscribers, and upstream's subscription with the last. */
  async unsubscribe(session: HubSession, upstream: Upstream, uri: string): Promise<void> {
    const key = keyOf(upstream, uri);
    const known = this.byResource.get(key);
    if (known === undefined || !known.sessions.delete(session) || known.sessions.size > 0) return;
    this.byResource.delete(key);
    await upstream.client.unsubscribeResource({ uri }, { timeout: this.timeoutMs });
  }

  /** leave ends every subscription of a session that closed. */
  async leave(session: HubSession): Promise<void> {
    const held = [...this.byResource.values()].filter((s) => s.sessions.has(session));
    await Promise.allSettled(held.map((s) => this.unsubscribe(session, s.upstream, s.uri)));
  }

  /** updated tells the subscribers of uri on upstream that may still read it that it changed. */
  async updated(upstream: Upstream, uri: string): Promise<void> {
    const known = this.byResource.get(keyOf(upstream, uri));
    if (known === undefined) return;
    const target = namedTarget(RESOURCE_TYPE, upstream.name, uri);
    if ("problem" in target) return;
    const origin: JsonObject = {
      via: "mcp-gateway",
      server: upstream.name,
      method: "notifications/resources/updated",
      uri,
    };
    await Promise.allSettled(
      [...known.sessions].map(async (session) => {
        const [allowed] = await this.authorizer.listable(session.identity, [target], [origin]);
        if (allowed) await session.server.sendResourceUpdated({ uri });
      }),
    );
  }
}

function keyOf(upstream: Upstream, uri: string): string {
  return `${upstream.name}\n${uri}`;
}
