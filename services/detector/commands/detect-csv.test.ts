import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VigilError } from '../../../src/errors.js';
import { createCsvDetector, parseTimestamp, parseValue, type PointScorer } from './detect-csv.js';

const cpu4 = readFileSync(new URL('../../../test/fixtures/kpi/cpu4.csv', import.meta.url), 'utf8').split('\n').filter(Boolean);

/** A scorer of our own: an exponentially weighted mean and deviation, so every score depends on all the points before it. */
function ewmaScorer(pushed: [number, number][] = []): PointScorer {
  let mean: number | undefined;
  let deviation = 0;
  return {
    push(timestampMs, value) {
      pushed.push([timestampMs, value]);
      if (!Number.isFinite(value)) return { score: 0 };
      if (mean === undefined) {
        mean = value;
        return { score: 0 };
      }
      const distance = Math.abs(value - mean);
      const score = deviation === 0 ? 0 : Math.min(1, distance / (6 * deviation));
      mean += 0.1 * (value - mean);
      deviation += 0.1 * (distance - deviation);
      return { score };
    },
  };
}

function detect(lines: string[], scorer: PointScorer = ewmaScorer()): string[] {
  const detector = createCsvDetector({ createScorer: () => scorer });
  const out = lines.map((line) => detector.push(line)).filter((line): line is string => line !== undefined);
  detector.end();
  return out;
}

const scoreOf = (line: string): number => Number(line.slice(line.lastIndexOf(',') + 1));

describe('the header', () => {
  it.each([
    ['timestamp,value', 'timestamp,value,anomaly_score'],
    ['Timestamp,VALUE,label', 'Timestamp,VALUE,label,anomaly_score'],
    ['"timestamp","value","label"', '"timestamp","value","label",anomaly_score'],
    ['\uFEFFtimestamp, value ,label', 'timestamp, value ,label,anomaly_score'],
  ])('%j is read and echoed with the column appended', (header, expected) => {
    expect(detect([header, '1469376000,1'])[0]).toBe(expected);
  });

  it.each([
    ['time,value', '"time,value"'],
    ['value,timestamp', '"value,timestamp"'],
    ['timestamp', '"timestamp"'],
    ['1469376000,0.84,0', '"1469376000,0.84"'],
    ['', '""'],
  ])('%j is refused naming what it got', (header, got) => {
    const detector = createCsvDetector({ createScorer: () => ewmaScorer() });
    let thrown: unknown;
    try {
      detector.push(header);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(VigilError);
    expect((thrown as VigilError).code).toBe('VIGIL_DECODE');
    expect((thrown as VigilError).message).toBe(`line 1: the header's first two columns must be timestamp,value (got ${got})`);
  });

  it('an empty input has no header', () => {
    expect(() => createCsvDetector({ createScorer: () => ewmaScorer() }).end()).toThrow(/no header/);
  });
});

describe('timestamps', () => {
  // cpu4.csv's first point, 1469376000 s = 2016-07-24T16:00:00Z, written every way we accept.
  it.each([
    ['1469376000', 1469376000000],
    ['1469376000000', 1469376000000],
    ['1469376000.5', 1469376000500],
    ['1469376000500', 1469376000500],
    ['2016-07-24T16:00:00Z', 1469376000000],
    ['2016-07-24T16:00:00.5z', 1469376000500],
    ['2016-07-24 16:00:00', 1469376000000],
    ['2016-07-24T16:00', 1469376000000],
    ['2016-07-25T00:00:00+08:00', 1469376000000],
    ['2016-07-25T00:00:00+0800', 1469376000000],
    ['2016-07-25T00:00:00,000+08', 1469376000000],
    ['2016-07-24', 1469318400000],
    [' 1469376000 ', 1469376000000],
    ['0', 0],
    ['99999999999', 99999999999000],
    ['100000000000', 100000000000],
  ])('%j → %d ms', (text, ms) => {
    expect(parseTimestamp(text)).toBe(ms);
  });

  it.each(['', 'yesterday', '07/24/2016', '2016-07-24T25:00:00Z', '0x10', '2016-07-24T16:00:00 UTC'])('%j is unreadable', (text) => {
    expect(parseTimestamp(text)).toBeNaN();
  });

  it('reach the scorer in milliseconds, whichever way they are written', () => {
    const pushed: [number, number][] = [];
    detect(['timestamp,value', '1469376000,1', '1469376300000,2', '2016-07-24T16:10:00Z,3'], ewmaScorer(pushed));
    expect(pushed).toEqual([[1469376000000, 1], [1469376300000, 2], [1469376600000, 3]]);
  });
});

describe('values', () => {
  it.each([
    ['0.8473002740000001', 0.8473002740000001],
    ['-0.036137314', -0.036137314],
    [' 1e3 ', 1000],
    ['.5', 0.5],
  ])('%j → %d', (text, value) => {
    expect(parseValue(text)).toBe(value);
  });

  it.each(['', ' ', 'n/a', 'NaN', 'Infinity', '0x10', '1,5', '1.2.3'])('%j is not a value', (text) => {
    expect(parseValue(text)).toBeNaN();
  });

  it('a row with an empty or unparsable value still comes out, scored 0, and the scorer sees a missing point', () => {
    const pushed: [number, number][] = [];
    const detector = createCsvDetector({ createScorer: () => ewmaScorer(pushed) });
    const lines = ['timestamp,value,label', '1469376000,1,0', '1469376300,2,0', '1469376600,,1', '1469376900,n/a,1', 'soon,1000,1', '1469377200,1000,1'];
    const out = lines.map((line) => detector.push(line));
    expect(out.slice(3, 6)).toEqual(['1469376600,,1,0', '1469376900,n/a,1,0', 'soon,1000,1,0']);
    expect(pushed.map(([, value]) => value)).toEqual([1, 2, NaN, NaN, 1000]);
    expect(scoreOf(out[6]!)).toBe(1);
    expect(detector.stats).toEqual({ rows: 6, badValues: 2, badTimestamps: 1, clampedScores: 0 });
  });
});

describe('rows pass through', () => {
  it('with every column and its quoting as written, the score appended at full precision', () => {
    const scores = [0, 0.1 + 0.2, 1e-7];
    let next = 0;
    const out = detect(
      ['timestamp,value,label,note', '1469376000,1,0,plain', '"1469376300","2",0,"a, b ""quoted"""', "1469376600, 3 ,1,it's"],
      { push: () => ({ score: scores[next++]! }) },
    );
    expect(out).toEqual([
      'timestamp,value,label,note,anomaly_score',
      '1469376000,1,0,plain,0',
      '"1469376300","2",0,"a, b ""quoted""",0.30000000000000004',
      "1469376600, 3 ,1,it's,1e-7",
    ]);
  });

  it('a quoted field over two lines is one record, written out once it closes', () => {
    const detector = createCsvDetector({ createScorer: () => ewmaScorer() });
    expect(detector.push('timestamp,value,note')).toBe('timestamp,value,note,anomaly_score');
    expect(detector.push('1469376000,1,"first line')).toBeUndefined();
    expect(detector.push('second, line"')).toBe('1469376000,1,"first line\nsecond, line",0');
    expect(detector.stats.rows).toBe(1);
  });

  it('a short row is padded so its score sits under anomaly_score; a blank line stays blank', () => {
    expect(detect(['timestamp,value,label', '1469376000,1', '', '1469376300,1,0'])).toEqual([
      'timestamp,value,label,anomaly_score',
      '1469376000,1,,0',
      '',
      '1469376300,1,0,0',
    ]);
  });

  it('a score outside [0, 1] is clamped and counted', () => {
    const scores = [-0.5, 7, NaN];
    let next = 0;
    const detector = createCsvDetector({ createScorer: () => ({ push: () => ({ score: scores[next++]! }) }) });
    const out = ['timestamp,value', '1,1', '2,1', '3,1'].map((line) => detector.push(line));
    expect(out.slice(1).map((line) => scoreOf(line!))).toEqual([0, 1, 0]);
    expect(detector.stats.clampedScores).toBe(3);
  });

  it('a quote that never closes is an error at the end, or as soon as the record passes the cap', () => {
    const detector = createCsvDetector({ createScorer: () => ewmaScorer() });
    detector.push('timestamp,value,note');
    detector.push('1,1,"open');
    expect(() => detector.end()).toThrow('line 2: a quoted field never closed');
    const capped = createCsvDetector({ createScorer: () => ewmaScorer(), maxRecordChars: 100 });
    capped.push('timestamp,value,note');
    expect(() => {
      for (let i = 0; i < 100; i++) capped.push(i === 0 ? '1,1,"open' : 'more text');
    }).toThrow(/line 2: a quoted field is still open after 1\d\d characters/);
  });
});

describe('on cpu4.csv (17,568 labeled points)', () => {
  it('one output row per input row, in order, each the input row plus a score in [0, 1]', () => {
    const out = detect(cpu4);
    expect(out).toHaveLength(cpu4.length);
    expect(out[0]).toBe('timestamp,value,label,anomaly_score');
    for (let i = 1; i < cpu4.length; i++) {
      expect(out[i]!.startsWith(`${cpu4[i]},`)).toBe(true);
      const score = scoreOf(out[i]!);
      expect(score >= 0 && score <= 1).toBe(true);
    }
    expect(out.slice(1).some((line) => scoreOf(line) > 0.5)).toBe(true);
  });

  it('no look-ahead: cut after row k, the first k scores are the same', () => {
    const full = detect(cpu4);
    for (const k of [1, 2, 31, 500, 8000]) expect(detect(cpu4.slice(0, k + 1))).toEqual(full.slice(0, k + 1));
  });
});
