/**
 * Which routes an alert goes to, as Alertmanager's dispatch/route.go Route.Match: depth first; a
 * matching child stops the search among its siblings unless it has `continue`; a route none of whose
 * children match takes the alert itself.
 */
import type { Route } from './config.js';
import { allMatch, type Labels } from './matchers.js';

export function matchRoutes(route: Route, labels: Labels): Route[] {
  if (!allMatch(route.matchers, labels)) return [];
  const matched: Route[] = [];
  for (const child of route.routes) {
    const childMatches = matchRoutes(child, labels);
    matched.push(...childMatches);
    if (childMatches.length > 0 && !child.continue) break;
  }
  return matched.length > 0 ? matched : [route];
}

/** Every route of the tree, parents before children. */
export function allRoutes(route: Route): Route[] {
  return [route, ...route.routes.flatMap(allRoutes)];
}

export function routeById(root: Route, id: string): Route | undefined {
  return allRoutes(root).find((route) => route.id === id);
}
