import { expect, test } from 'vitest';
import { fft } from './fft.js';

test('matches a direct DFT and inverts back', () => {
  const n = 32;
  const input = Array.from({ length: n }, (_, i) => Math.sin(i * 0.7) + (i % 5) * 0.3);
  const re = Float64Array.from(input);
  const im = new Float64Array(n);
  fft(re, im, n, false);
  for (const k of [0, 1, 5, 16, 31]) {
    let dRe = 0;
    let dIm = 0;
    for (let t = 0; t < n; t++) {
      dRe += input[t]! * Math.cos((-2 * Math.PI * k * t) / n);
      dIm += input[t]! * Math.sin((-2 * Math.PI * k * t) / n);
    }
    expect(re[k]).toBeCloseTo(dRe, 9);
    expect(im[k]).toBeCloseTo(dIm, 9);
  }
  fft(re, im, n, true);
  input.forEach((v, i) => expect(re[i]).toBeCloseTo(v, 9));
});
