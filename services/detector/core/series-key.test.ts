import { expect, test } from 'vitest';
import { seriesKey } from './series-key.js';

test.each([
  ['no labels', 'node_memory_MemAvailable_bytes', {}, 'node_memory_MemAvailable_bytes{}'],
  ['labels sorted by name', 'node_cpu_seconds_total', { mode: 'user', cpu: '3' }, 'node_cpu_seconds_total{cpu="3",mode="user"}'],
  ['values escaped', 'process_rss_bytes', { comm: 'a "b"\\c\nd', pid: '42' }, 'process_rss_bytes{comm="a \\"b\\"\\\\c\\nd",pid="42"}'],
])('%s', (_name, metric, labels, key) => {
  expect(seriesKey(metric, labels)).toBe(key);
});

test('the key does not depend on the order labels were written in', () => {
  expect(seriesKey('x', { b: '2', a: '1' })).toBe(seriesKey('x', { a: '1', b: '2' }));
});
