/**
 * Label sets and matchers as Alertmanager's pkg/labels: `name=value`, `name!=value`, `name=~regex`,
 * `name!~regex`; a missing label matches as the empty string; regexes are anchored.
 */
import { deterministicId } from '../../../../src/codec/ids.js';

export type Labels = Readonly<Record<string, string>>;

export type MatchType = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  readonly name: string;
  readonly type: MatchType;
  readonly value: string;
}

export const matcherSyntax = 'expected name=value, name!=value, name=~regex or name!~regex';

const matcherPattern = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/;
const compiled = new Map<string, RegExp>();

/** Parses one matcher; a value may be double-quoted (`severity="CRITICAL"`). Returns an error message instead of throwing. */
export function parseMatcher(text: string): Matcher | string {
  const match = matcherPattern.exec(text);
  if (!match) return matcherSyntax;
  const [, name, type, raw] = match as unknown as [string, string, MatchType, string];
  let value = raw;
  if (raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"')) {
    try {
      value = JSON.parse(raw) as string;
    } catch {
      return `bad quoted value ${raw}`;
    }
  }
  if (type === '=~' || type === '!~') {
    try {
      regexOf(value);
    } catch (error) {
      return `bad regex ${JSON.stringify(value)}: ${(error as Error).message}`;
    }
  }
  return { name, type, value };
}

function regexOf(value: string): RegExp {
  let regex = compiled.get(value);
  if (!regex) {
    regex = new RegExp(`^(?:${value})$`, 'u');
    compiled.set(value, regex);
  }
  return regex;
}

export function matcherMatches(matcher: Matcher, labels: Labels): boolean {
  const actual = labels[matcher.name] ?? '';
  switch (matcher.type) {
    case '=':
      return actual === matcher.value;
    case '!=':
      return actual !== matcher.value;
    case '=~':
      return regexOf(matcher.value).test(actual);
    case '!~':
      return !regexOf(matcher.value).test(actual);
  }
}

/** True when every matcher matches; an empty list matches everything. */
export function allMatch(matchers: readonly Matcher[], labels: Labels): boolean {
  return matchers.every((matcher) => matcherMatches(matcher, labels));
}

export function formatMatcher(matcher: Matcher): string {
  return `${matcher.name}${matcher.type}${JSON.stringify(matcher.value)}`;
}

/** Identity of a label set, independent of key order; empty values count as absent. */
export function fingerprint(labels: Labels): string {
  const parts = Object.keys(labels)
    .filter((name) => labels[name] !== '')
    .sort()
    .map((name) => `${name}=${labels[name]}`);
  return deterministicId('labels', ...parts);
}
