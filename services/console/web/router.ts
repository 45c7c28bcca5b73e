/** Path routing with the History API: every page has an address that can be bookmarked and reloaded. */
import { html } from 'htm/preact';
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';

const listeners = new Set<() => void>();

export function navigate(path: string): void {
  history.pushState(null, '', path);
  for (const listener of listeners) listener();
}

/** The current path, re-rendering on navigation and back/forward. */
export function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const update = (): void => setPath(location.pathname);
    listeners.add(update);
    addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      removeEventListener('popstate', update);
    };
  }, []);
  return path;
}

export function Link({ href, children, class: className }: { href: string; children: ComponentChildren; class?: string }) {
  const onClick = (event: MouseEvent): void => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  };
  return html`<a href=${href} class=${className} onClick=${onClick}>${children}</a>`;
}

/** Path segments after a prefix, decoded: matchPath('/nodes/', '/nodes/a/b') → ['a', 'b']. */
export function matchPath(prefix: string, path: string): string[] | undefined {
  if (!path.startsWith(prefix)) return undefined;
  return path.slice(prefix.length).split('/').filter(Boolean).map(decodeURIComponent);
}

export const nodePath = (cluster: string, node: string): string => `/nodes/${encodeURIComponent(cluster)}/${encodeURIComponent(node)}`;
export const reportPath = (id: string): string => `/reports/${encodeURIComponent(id)}`;
