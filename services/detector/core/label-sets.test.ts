import { describe, expect, it } from 'vitest';
import { LabelSets } from './label-sets.js';

describe('LabelSets', () => {
  it('gives series with the same labels one shared copy, not the caller’s object', () => {
    const sets = new LabelSets();
    const given = { cpu: '0', mode: 'user' };
    const first = sets.hold('{cpu="0",mode="user"}', given);
    const second = sets.hold('{cpu="0",mode="user"}', { cpu: '0', mode: 'user' });
    expect(first).toEqual(given);
    expect(first).not.toBe(given);
    expect(second).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('drops a set when the last series holding it lets go', () => {
    const sets = new LabelSets();
    const key = '{pod="web-1"}';
    const first = sets.hold(key, { pod: 'web-1' });
    sets.hold(key, { pod: 'web-1' });
    sets.release(key);
    expect(sets.size).toBe(1);
    sets.release(key);
    expect(sets.size).toBe(0);
    expect(sets.hold(key, { pod: 'web-1' })).not.toBe(first);
  });

  it('shares one empty set without counting it', () => {
    const sets = new LabelSets();
    expect(sets.hold('{}', {})).toBe(sets.hold('{}', {}));
    expect(sets.size).toBe(0);
  });
});
