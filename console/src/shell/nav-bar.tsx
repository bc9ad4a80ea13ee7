// The bar at the top of every page: the pages, the session, sign-out.

import { Link } from "../routing/link.js";
import { consoleHref } from "../routing/route.js";
import { NAV_ITEMS } from "./nav-items.js";

/** NavBarProps say which page is open and how the session signs out. */
export interface NavBarProps {
  readonly current: string;
  /** Undefined in development mode, where there is no key to sign out of. */
  readonly onSignOut: (() => void) | undefined;
}

/** NavBar lists the pages, marks the current one, and offers sign-out. */
export function NavBar({ current, onSignOut }: NavBarProps) {
  return (
    <header class="nav-bar">
      <span class="brand">Latch</span>
      <nav aria-label="Pages">
        <ul>
          {NAV_ITEMS.map((item) => (
            <li key={item.segment}>
              <Link href={consoleHref([item.segment])} current={item.segment === current}>
                {item.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {onSignOut === undefined ? (
        <span class="session">Development mode: no API key</span>
      ) : (
        <button type="button" class="session" onClick={onSignOut}>
          Sign out
        </button>
      )}
    </header>
  );
}
