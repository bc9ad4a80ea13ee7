// The console's pages, in the order the navigation lists them.

/** NavItem is a page: its first path segment under /console, and its name. */
export interface NavItem {
  readonly segment: string;
  readonly label: string;
}

/** NAV_ITEMS lists the pages; a new page is one more entry here and one more case in the page switch. */
export const NAV_ITEMS: readonly NavItem[] = [
  { segment: "live", label: "Live" },
  { segment: "decisions", label: "Decisions" },
  { segment: "agents", label: "Agents" },
  { segment: "alerts", label: "Alerts" },
  { segment: "requests", label: "Access requests" },
  { segment: "relationships", label: "Relationships" },
  { segment: "schema", label: "Schema" },
  { segment: "playground", label: "Playground" },
];

/** DEFAULT_SEGMENT is the page /console opens on. */
export const DEFAULT_SEGMENT = "decisions";
