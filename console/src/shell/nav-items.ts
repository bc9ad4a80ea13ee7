// The console's pages, in the order the navigation lists them.

/** NavItem is a page: its first path segment under /console, its name, what it needs. */
export interface NavItem {
  readonly segment: string;
  readonly label: string;
  /** The scope a key needs for the page's main call (an admin key has every scope). */
  readonly scope: string;
}

/**
 * NAV_ITEMS lists the pages; a new page (Alerts) is one more entry here and one more case in
 * the page switch.
 */
export const NAV_ITEMS: readonly NavItem[] = [
  { segment: "decisions", label: "Decisions", scope: "audit" },
  { segment: "agents", label: "Agents", scope: "read" },
  { segment: "requests", label: "Access requests", scope: "read" },
  { segment: "relationships", label: "Relationships", scope: "read" },
  { segment: "schema", label: "Schema", scope: "read" },
];

/** DEFAULT_SEGMENT is the page /console opens on. */
export const DEFAULT_SEGMENT = "decisions";
