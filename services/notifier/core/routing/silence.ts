/**
 * Silences as Alertmanager's silence/silence.go: matchers muting alerts between startsAt and endsAt,
 * with author and comment. Pure operations over a plain state object the service persists; the
 * time is passed in.
 */
import { deterministicId } from '../../../../src/codec/ids.js';
import { allMatch, matcherMatches, parseMatcher, type Labels, type Matcher } from './matchers.js';

export interface Silence {
  readonly id: string;
  readonly matchers: readonly Matcher[];
  readonly startsAtMs: number;
  readonly endsAtMs: number;
  readonly createdBy: string;
  readonly comment: string;
  readonly updatedAtMs: number;
}

export type SilenceStatus = 'pending' | 'active' | 'expired';

/** Silences by id; JSON as is. */
export interface SilenceState {
  readonly silences: Readonly<Record<string, Silence>>;
}

export interface SilenceInput {
  /** `name=value`, `name!=value`, `name=~regex`, `name!~regex`. */
  readonly matchers: readonly string[];
  /** Defaults to now. */
  readonly startsAtMs?: number | undefined;
  readonly endsAtMs: number;
  readonly createdBy: string;
  readonly comment: string;
}

export type SilenceResult = { ok: true; state: SilenceState; silence: Silence } | { ok: false; error: string };

export const emptySilences: SilenceState = { silences: {} };

export function silenceStatus(silence: Silence, nowMs: number): SilenceStatus {
  if (nowMs < silence.startsAtMs) return 'pending';
  return nowMs < silence.endsAtMs ? 'active' : 'expired';
}

/**
 * Adds a silence. Its id is a hash of its content and creation time, so two instances applying the
 * same request compute the same id. Rejected like Alertmanager's validateSilence: no matchers,
 * matchers that all match the empty label set, an end not after start or already past, no author or comment.
 */
export function createSilence(state: SilenceState, input: SilenceInput, nowMs: number): SilenceResult {
  const matchers: Matcher[] = [];
  for (const [index, text] of input.matchers.entries()) {
    const parsed = parseMatcher(text);
    if (typeof parsed === 'string') return { ok: false, error: `matchers[${index}]: ${parsed}` };
    matchers.push(parsed);
  }
  const startsAtMs = input.startsAtMs ?? nowMs;
  if (matchers.length === 0) return { ok: false, error: 'matchers: at least one matcher is required' };
  if (matchers.every((matcher) => matcherMatches(matcher, {}))) return { ok: false, error: 'matchers: at least one matcher must not match the empty string' };
  if (input.endsAtMs <= startsAtMs) return { ok: false, error: 'endsAt: must be after startsAt' };
  if (input.endsAtMs <= nowMs) return { ok: false, error: 'endsAt: is in the past' };
  if (!input.createdBy.trim()) return { ok: false, error: 'createdBy: required' };
  if (!input.comment.trim()) return { ok: false, error: 'comment: required' };
  const id = deterministicId('silence', JSON.stringify(matchers), startsAtMs, input.endsAtMs, input.createdBy, input.comment, nowMs);
  const silence: Silence = { id, matchers, startsAtMs, endsAtMs: input.endsAtMs, createdBy: input.createdBy, comment: input.comment, updatedAtMs: nowMs };
  return { ok: true, state: { silences: { ...state.silences, [id]: silence } }, silence };
}

/** Ends a silence now: a pending one gets startsAt = endsAt = now, an active one endsAt = now; an expired one is an error. */
export function expireSilence(state: SilenceState, id: string, nowMs: number): SilenceResult {
  const silence = state.silences[id];
  if (!silence) return { ok: false, error: `no silence ${id}` };
  const status = silenceStatus(silence, nowMs);
  if (status === 'expired') return { ok: false, error: `silence ${id} already expired` };
  const expired: Silence = { ...silence, startsAtMs: status === 'pending' ? nowMs : silence.startsAtMs, endsAtMs: nowMs, updatedAtMs: nowMs };
  return { ok: true, state: { silences: { ...state.silences, [id]: expired } }, silence: expired };
}

/** Silences with their status, newest first, optionally only those in one status. */
export function listSilences(state: SilenceState, nowMs: number, status?: SilenceStatus): (Silence & { status: SilenceStatus })[] {
  return Object.values(state.silences)
    .map((silence) => ({ ...silence, status: silenceStatus(silence, nowMs) }))
    .filter((silence) => status === undefined || silence.status === status)
    .sort((a, b) => b.updatedAtMs - a.updatedAtMs || a.id.localeCompare(b.id));
}

/** Ids of the active silences that mute `labels` at `nowMs`. */
export function silencedBy(state: SilenceState, labels: Labels, nowMs: number): string[] {
  return Object.values(state.silences)
    .filter((silence) => silenceStatus(silence, nowMs) === 'active' && allMatch(silence.matchers, labels))
    .map((silence) => silence.id)
    .sort();
}

/** Drops silences expired for longer than `retentionMs` (Alertmanager keeps them 120h by default). */
export function collectExpiredSilences(state: SilenceState, nowMs: number, retentionMs: number): SilenceState {
  return { silences: Object.fromEntries(Object.entries(state.silences).filter(([, silence]) => silence.endsAtMs + retentionMs > nowMs)) };
}
