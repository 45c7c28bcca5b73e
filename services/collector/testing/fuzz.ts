import { seededRandom } from '../../../src/codec/metric-batch.fixtures.js';
/**
 * Seeded damage to a real file, for tests that a parser never throws: each mutation truncates the
 * text, flips characters, deletes a run or inserts garbage (one to three edits). The same seed
 * always yields the same strings, so a failing case is reproduced by its index.
 */
export function* mutations(text: string, seed: number, count: number): Generator<string> {
  const random = seededRandom(seed);
  const below = (n: number): number => Math.floor(random() * n);
  const garbage = ['', ' ', '\t', '\n', ':', '-', '|', '/', 'x', 'e', '.', '9', '99999999999999999999999', 'NaN', 'Infinity', '\u00e9', '\u0000'];
  const pick = (): string => garbage[below(garbage.length)] ?? '';
  for (let i = 0; i < count; i++) {
    let mutated = text;
    const edits = 1 + below(3);
    for (let edit = 0; edit < edits; edit++) {
      const at = below(mutated.length + 1);
      switch (below(4)) {
        case 0:
          mutated = mutated.slice(0, at);
          break;
        case 1: {
          for (let flips = 1 + below(4); flips > 0; flips--) {
            const position = below(mutated.length);
            mutated = mutated.slice(0, position) + String.fromCharCode(below(128)) + mutated.slice(position + 1);
          }
          break;
        }
        case 2:
          mutated = mutated.slice(0, at) + mutated.slice(at + 1 + below(40));
          break;
        default:
          mutated = mutated.slice(0, at) + pick() + mutated.slice(at);
      }
    }
    yield mutated;
  }
}

export { seededRandom } from '../../../src/codec/metric-batch.fixtures.js';
