import { describe, expect, it } from 'vitest';
import { collectExpiredSilences, createSilence, emptySilences, expireSilence, listSilences, silencedBy, type SilenceInput, type SilenceResult, type SilenceState } from './silence.js';

const t0 = Date.parse('2026-11-25T12:00:00Z');
const hour = 3_600_000;

function ok(result: SilenceResult) {
  if (!result.ok) throw new Error(result.error);
  return result;
}

const shop: SilenceInput = { matchers: ['namespace=shop'], endsAtMs: t0 + 2 * hour, createdBy: 'alice', comment: 'shop deploy' };

describe('createSilence', () => {
  it('stores the silence with a deterministic id', () => {
    const { state, silence } = ok(createSilence(emptySilences, shop, t0));
    expect(silence).toMatchObject({ startsAtMs: t0, endsAtMs: t0 + 2 * hour, createdBy: 'alice', comment: 'shop deploy', matchers: [{ name: 'namespace', type: '=', value: 'shop' }] });
    expect(state.silences[silence.id]).toBe(silence);
    expect(ok(createSilence(emptySilences, shop, t0)).silence.id).toBe(silence.id);
    expect(emptySilences.silences).toEqual({});
  });

  // After Alertmanager silence/silence_test.go TestValidateSilence.
  it.each([
    ['no matchers', { ...shop, matchers: [] }, 'matchers: at least one matcher is required'],
    ['a bad matcher', { ...shop, matchers: ['namespace=shop', 'pod'] }, 'matchers[1]: expected name=value'],
    ['matchers that match everything', { ...shop, matchers: ['pod=~".*"'] }, 'at least one matcher must not match the empty string'],
    ['end before start', { ...shop, startsAtMs: t0 + hour, endsAtMs: t0 + hour }, 'endsAt: must be after startsAt'],
    ['end in the past', { ...shop, startsAtMs: t0 - 2 * hour, endsAtMs: t0 - hour }, 'endsAt: is in the past'],
    ['no author', { ...shop, createdBy: ' ' }, 'createdBy: required'],
    ['no comment', { ...shop, comment: '' }, 'comment: required'],
  ])('rejects %s', (_name, input, error) => {
    const result = createSilence(emptySilences, input, t0);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContain(error);
  });
});

describe('silencedBy', () => {
  const { state, silence } = ok(createSilence(emptySilences, shop, t0));
  it.each([
    ['a shop pod alert while active', { namespace: 'shop', pod: 'api-1', severity: 'WARNING' }, t0 + hour, [silence.id]],
    ['a billing pod alert', { namespace: 'billing', pod: 'api-1', severity: 'WARNING' }, t0 + hour, []],
    ['a node alert (no namespace)', { cluster: 'prod-eu', node: 'worker-7' }, t0 + hour, []],
    ['a shop alert after the end', { namespace: 'shop' }, t0 + 2 * hour, []],
    ['a shop alert before the start', { namespace: 'shop' }, t0 - 1, []],
  ])('%s', (_name, labels, nowMs, ids) => {
    expect(silencedBy(state, labels, nowMs)).toEqual(ids);
  });
});

describe('expireSilence and listSilences', () => {
  const active = ok(createSilence(emptySilences, shop, t0));
  const both = ok(createSilence(active.state, { ...shop, matchers: ['node=worker-7'], startsAtMs: t0 + hour, endsAtMs: t0 + 3 * hour }, t0 + 1));
  const state: SilenceState = both.state;

  it('lists with status', () => {
    expect(listSilences(state, t0 + 10).map((silence) => [silence.id, silence.status])).toEqual([
      [both.silence.id, 'pending'],
      [active.silence.id, 'active'],
    ]);
    expect(listSilences(state, t0 + 10, 'active').map((silence) => silence.id)).toEqual([active.silence.id]);
  });

  it('ends an active silence now', () => {
    const { state: after, silence } = ok(expireSilence(state, active.silence.id, t0 + 60_000));
    expect(silence).toMatchObject({ startsAtMs: t0, endsAtMs: t0 + 60_000 });
    expect(silencedBy(after, { namespace: 'shop' }, t0 + 60_000)).toEqual([]);
    expect(silencedBy(state, { namespace: 'shop' }, t0 + 60_000)).toEqual([active.silence.id]);
  });

  it('ends a pending silence before it starts', () => {
    expect(ok(expireSilence(state, both.silence.id, t0 + 10)).silence).toMatchObject({ startsAtMs: t0 + 10, endsAtMs: t0 + 10 });
  });

  it('refuses an expired or unknown silence', () => {
    expect(expireSilence(state, active.silence.id, t0 + 5 * hour)).toEqual({ ok: false, error: `silence ${active.silence.id} already expired` });
    expect(expireSilence(state, 'nope', t0).ok).toBe(false);
  });

  it('forgets silences expired longer than the retention', () => {
    expect(Object.keys(collectExpiredSilences(state, t0 + 2 * hour + 120 * hour, 120 * hour).silences)).toEqual([both.silence.id]);
  });
});
