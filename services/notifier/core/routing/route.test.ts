import { describe, expect, it } from 'vitest';
import { parseRoutingConfig } from './config.js';
import { allRoutes, matchRoutes, routeById } from './route.js';

// The tree of Alertmanager dispatch/route_test.go TestRouteMatch, with Vigil's labels.
const config = parseRoutingConfig(`
route:
  receiver: default
  group_by: [cluster]
  routes:
    - matchers: [owner=team-A]
      receiver: team-A
      group_by: [...]
      routes:
        - matchers: ['env=~"prod|staging"']
          receiver: team-A-prod
          continue: true
        - matchers: [namespace=shop]
          receiver: shop
    - matchers: ['owner=~"team-(B|C)"']
      receiver: team-BC
      group_wait: 2m
    - matchers: [severity=CRITICAL]
      receiver: oncall
      continue: true
    - matchers: [severity=~"CRITICAL|WARNING"]
      receiver: ops
receivers: [{name: default}, {name: team-A}, {name: team-A-prod}, {name: shop}, {name: team-BC}, {name: oncall}, {name: ops}]
`);

describe('matchRoutes', () => {
  it.each([
    ['no child matches: the root takes it', { owner: 'team-Z' }, ['default']],
    ['the first matching child stops the search', { owner: 'team-A' }, ['team-A']],
    ['a regex matcher', { owner: 'team-C' }, ['team-BC']],
    ['continue: true on the first child lets the next sibling match too', { owner: 'team-A', env: 'prod', namespace: 'shop' }, ['team-A-prod', 'shop']],
    ['continue: true, and no sibling matches', { owner: 'team-A', env: 'staging' }, ['team-A-prod']],
    ['a route with continue sends to two receivers', { severity: 'CRITICAL', node: 'worker-7' }, ['oncall', 'ops']],
    ['without continue only one', { severity: 'WARNING' }, ['ops']],
    ['a child that does not match, its parent without continue stops', { owner: 'team-A', severity: 'CRITICAL' }, ['team-A']],
  ])('%s', (_name, labels, receivers) => {
    expect(matchRoutes(config.route, labels).map((route) => route.receiver)).toEqual(receivers);
  });

  it('matched routes carry their inherited options', () => {
    const [route] = matchRoutes(config.route, { owner: 'team-B' });
    expect(route).toMatchObject({ groupBy: ['cluster'], groupWaitMs: 120_000 });
    expect(matchRoutes(config.route, { owner: 'team-A', env: 'prod' })[0]!.groupBy).toBe('all');
  });
});

describe('routeById', () => {
  it('finds every route by its id', () => {
    for (const route of allRoutes(config.route)) expect(routeById(config.route, route.id)).toBe(route);
    expect(allRoutes(config.route)).toHaveLength(7);
  });
});
