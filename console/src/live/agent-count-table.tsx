// Per agent, the decisions and denials seen since the Live page opened.

import { Link } from "../routing/link.js";
import { consoleHref } from "../routing/route.js";
import type { AgentCount } from "./agent-counts.js";

/** AgentCountTable lists counts, the agents with the most denials first. */
export function AgentCountTable({ counts }: { readonly counts: ReadonlyMap<string, AgentCount> }) {
  if (counts.size === 0) return <p>No agent has acted since the page opened.</p>;
  const rows = [...counts.entries()].sort(
    ([a, x], [b, y]) => y.denials - x.denials || y.decisions - x.decisions || a.localeCompare(b),
  );
  return (
    <table class="agent-counts">
      <thead>
        <tr>
          <th scope="col">Agent</th>
          <th scope="col">Decisions</th>
          <th scope="col">Denials</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([agent, count]) => (
          <tr key={agent}>
            <th scope="row">
              <Link href={consoleHref(["decisions"], { actor: agent })}>
                <code>{agent}</code>
              </Link>
            </th>
            <td>{count.decisions}</td>
            <td>{count.denials}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
