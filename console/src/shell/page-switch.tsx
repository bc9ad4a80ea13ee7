// Which page a route shows.

import { AgentsPage } from "../agents/agents-page.js";
import { AlertsPage } from "../alerts/alerts-page.js";
import { DecisionPage } from "../decisions/decision-page.js";
import { DecisionsPage } from "../decisions/decisions-page.js";
import { LivePage } from "../live/live-page.js";
import { PlaygroundPage } from "../playground/playground-page.js";
import { RelationshipsPage } from "../relationships/relationships-page.js";
import { RequestsPage } from "../requests/requests-page.js";
import type { Route } from "../routing/route.js";
import { SchemaPage } from "../schema/schema-page.js";

/** PageSwitchProps are the route and its first segment, the page's name. */
export interface PageSwitchProps {
  readonly segment: string;
  readonly route: Route;
}

/** PageSwitch renders the page of segment, or says there is none. */
export function PageSwitch({ segment, route }: PageSwitchProps) {
  switch (segment) {
    case "decisions": {
      const id = route.segments[1];
      return id === undefined ? <DecisionsPage query={route.query} /> : <DecisionPage id={id} />;
    }
    case "live":
      return <LivePage query={route.query} />;
    case "agents":
      return <AgentsPage />;
    case "alerts":
      return <AlertsPage query={route.query} />;
    case "requests":
      return <RequestsPage />;
    case "relationships":
      return <RelationshipsPage query={route.query} />;
    case "schema":
      return <SchemaPage />;
    case "playground":
      return <PlaygroundPage query={route.query} />;
    default:
      return (
        <section>
          <h1>No such page</h1>
          <p>The console has no page at {window.location.pathname}.</p>
        </section>
      );
  }
}
