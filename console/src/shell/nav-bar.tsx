// The bar at the top of every page: the pages the key may see, the session, sign-out.

import { useAllows } from "../api/access-context.js";
import { Link } from "../routing/link.js";
import { consoleHref } from "../routing/route.js";
import { NAV_ITEMS } from "./nav-items.js";

/** NavBarProps say which page is open, whose key it is, and how the session signs out. */
export interface NavBarProps {
  readonly current: string;
  /** The signed-in key's name, and how to sign out; undefined in development mode (no key). */
  readonly session: { readonly keyName: string; readonly onSignOut: () => void } | undefined;
}

/** NavBar lists the pages the key's scopes allow, marks the current one, and offers sign-out. */
export function NavBar({ current, session }: NavBarProps) {
  const allows = useAllows();
  return (
    <header class="nav-bar">
      <span class="brand">Latch</span>
      <nav aria-label="Pages">
        <ul>
          {NAV_ITEMS.filter((item) => allows(item.shownBy)).map((item) => (
            <li key={item.segment}>
              <Link href={consoleHref([item.segment])} current={item.segment === current}>
                {item.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {session === undefined ? (
        <span class="session">Development mode: no API key</span>
      ) : (
        <span class="session">
          Key {session.keyName}{" "}
          <button type="button" onClick={session.onSignOut}>
            Sign out
          </button>
        </span>
      )}
    </header>
  );
}
