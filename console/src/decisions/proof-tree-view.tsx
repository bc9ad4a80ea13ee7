// Proof lines as a nested list: each line, and under it the lines it leads to.

import type { ProofNode } from "./proof-tree.js";

/** ProofTreeView renders nodes as nested lists, readable by screen readers as a tree of items. */
export function ProofTreeView({ nodes }: { readonly nodes: readonly ProofNode[] }) {
  if (nodes.length === 0) return null;
  return (
    <ul class="proof-tree">
      {nodes.map((node, index) => (
        // Lines repeat (two paths through one set): their place is their identity.
        <li key={index}>
          <code>{node.text}</code>
          <ProofTreeView nodes={node.children} />
        </li>
      ))}
    </ul>
  );
}
