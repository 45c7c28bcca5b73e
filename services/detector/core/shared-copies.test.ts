import { describe, expect, it } from 'vitest';
import { SharedCopies } from './shared-copies.js';

describe('SharedCopies', () => {
  it('gives every holder of a key the one copy made by the first', () => {
    const copies = new SharedCopies<Record<string, string>>();
    const given = { cpu: '0', mode: 'user' };
    const first = copies.hold('{cpu="0",mode="user"}', () => ({ ...given }));
    const second = copies.hold('{cpu="0",mode="user"}', () => ({ cpu: 'other' }));
    expect(first).toEqual(given);
    expect(first).not.toBe(given);
    expect(second).toBe(first);
  });

  it('drops a copy when the last holder lets go, and makes a new one for the next', () => {
    const copies = new SharedCopies<{ pod: string }>();
    const key = '{pod="web-1"}';
    const first = copies.hold(key, () => ({ pod: 'web-1' }));
    copies.hold(key, () => ({ pod: 'web-1' }));
    copies.release(key);
    expect(copies.size).toBe(1);
    copies.release(key);
    expect(copies.size).toBe(0);
    expect(copies.hold(key, () => ({ pod: 'web-1' }))).not.toBe(first);
  });
});
