// A link between the console's views: an ordinary link (open in a new tab works), followed in place.

import type { ComponentChildren } from "preact";
import { navigate } from "./route.js";

/** LinkProps are a link's target and content. */
export interface LinkProps {
  readonly href: string;
  readonly children: ComponentChildren;
  readonly class?: string;
  readonly current?: boolean;
}

/** Link is an anchor to href whose plain click changes the view without reloading the page. */
export function Link({ href, children, class: className, current }: LinkProps) {
  const follow = (event: MouseEvent) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    event.preventDefault();
    navigate(href);
  };
  return (
    <a href={href} class={className} onClick={follow} aria-current={current ? "page" : undefined}>
      {children}
    </a>
  );
}
