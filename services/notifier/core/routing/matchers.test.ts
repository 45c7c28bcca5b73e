import { describe, expect, it } from 'vitest';
import { allMatch, fingerprint, formatMatcher, matcherMatches, parseMatcher, type Matcher } from './matchers.js';

function matcher(text: string): Matcher {
  const parsed = parseMatcher(text);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
}

describe('parseMatcher', () => {
  // Cases after Alertmanager pkg/labels/parse_test.go.
  it.each([
    ['severity=CRITICAL', { name: 'severity', type: '=', value: 'CRITICAL' }],
    ['severity="CRITICAL"', { name: 'severity', type: '=', value: 'CRITICAL' }],
    ['namespace != shop', { name: 'namespace', type: '!=', value: 'shop' }],
    ['pod=~"api-.*"', { name: 'pod', type: '=~', value: 'api-.*' }],
    ['pod!~', { name: 'pod', type: '!~', value: '' }],
    ['node=""', { name: 'node', type: '=', value: '' }],
  ])('%s', (text, expected) => {
    expect(parseMatcher(text)).toEqual(expected);
  });

  it.each(['severity', '=x', '1abc=x', 'pod=~"("'])('rejects %s', (text) => {
    expect(typeof parseMatcher(text)).toBe('string');
  });
});

describe('matcherMatches', () => {
  it.each([
    ['namespace=shop', { namespace: 'shop' }, true],
    ['namespace=shop', { namespace: 'shopping' }, false],
    ['namespace!=shop', {}, true],
    ['pod=""', {}, true],
    ['pod=""', { pod: 'api' }, false],
    ['pod=~".+"', { pod: 'api' }, true],
    ['pod=~".+"', {}, false],
    ['pod=~"api"', { pod: 'api-1' }, false], // anchored, like Alertmanager
    ['pod!~"api.*"', { pod: 'web' }, true],
  ] as const)('%s on %j is %s', (text, labels, expected) => {
    expect(matcherMatches(matcher(text), labels)).toBe(expected);
  });

  it('all matchers must match; none match everything', () => {
    expect(allMatch([], { a: '1' })).toBe(true);
    expect(allMatch([matcher('a=1'), matcher('b=2')], { a: '1', b: '3' })).toBe(false);
  });

  it('formats back to text', () => {
    expect(formatMatcher(matcher('pod=~api.*'))).toBe('pod=~"api.*"');
  });
});

describe('fingerprint', () => {
  it('ignores key order and empty labels', () => {
    expect(fingerprint({ a: '1', b: '2' })).toBe(fingerprint({ b: '2', a: '1', c: '' }));
    expect(fingerprint({ a: '1' })).not.toBe(fingerprint({ a: '2' }));
  });
});
