import { expect, test } from 'vitest';
import { parseQuantity } from './quantity.js';

// Values as they appear in the recorded objects of testdata/ and test/fixtures/k8s.
test.each([
  ['500m', 0.5],
  ['100Mi', 100 * 2 ** 20],
  ['30770604Ki', 30770604 * 1024],
  ['29222Mi', 29222 * 2 ** 20],
  ['8', 8],
  ['1.5', 1.5],
  ['95087093603', 95087093603],
  ['129e6', 129e6],
  ['1k', 1000],
  ['250M', 250e6],
  ['1Gi', 2 ** 30],
  ['.5', 0.5],
  ['100n', 1e-7],
])('%s', (text, value) => {
  expect(parseQuantity(text)).toBeCloseTo(value, 12);
});

test.each([['', undefined], ['abc', undefined], ['1Qi', undefined], ['Mi', undefined], ['1 Gi', undefined], [undefined, undefined]])('not a quantity: %s', (text, value) => {
  expect(parseQuantity(text)).toBe(value);
});
