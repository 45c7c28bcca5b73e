/**
 * How well the detection engine finds the labeled anomalies of three real server KPIs (cpu4 and
 * two eth1 out-traffic curves from NetManAIOps/donut's sample data, 5-minute points, labels by
 * operators), next to a plain robust z-score baseline. Both run through `vigil detect`'s own CSV
 * core, so these are the scores `vigil detect FILE.csv` prints.
 *
 * Per series and detector, three alert thresholds: fixed 0.5 (for the baseline that is its
 * conventional |z| ≥ 3.5), and the thresholds with the best per-point F1 and the best
 * point-adjusted F1 — chosen with the labels, so upper bounds, not results. Point-adjusted (Xu et
 * al., WWW 2018): a labeled segment counts as wholly detected when any of its points is flagged; it
 * flatters detectors that fire anywhere in a long segment, so read it with the delay columns
 * (points from a segment's start to its first flag; share of segments flagged within their first
 * 1, 3, 7 points) and the false positives. In these three KPIs a labeled segment usually starts one
 * point before the value moves (in 78 of the 82 segments the step into the first labeled point is
 * smaller than the step into the second), so without look-ahead a delay of 1 is mostly the earliest.
 *
 * Rerun: npx tsx bench/kpi-eval.bench.ts [labeled.csv …]   (default: test/fixtures/kpi/*.csv;
 * any CSV with timestamp,value,label columns)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCsvDetector, scoreColumn, type CreatePointScorer } from '../services/detector/commands/detect-csv.js';
import { createSeriesScorer } from '../services/detector/engine/create-series-scorer.js';
import { bestF1Threshold, evaluateAt, segmentsOf, type Evaluation } from './kpi/metrics.js';
import { baselineZThreshold, createRobustZBaseline } from './kpi/robust-z-baseline.js';

interface Detector {
  name: string;
  createScorer: CreatePointScorer;
  fixedLabel: string;
}

const detectors: Detector[] = [
  { name: 'engine', createScorer: createSeriesScorer, fixedLabel: 'fixed 0.5' },
  { name: 'robust z', createScorer: () => createRobustZBaseline(), fixedLabel: `fixed 0.5 = |z|≥${baselineZThreshold}` },
];
const fixedThreshold = 0.5;

interface Labeled {
  name: string;
  lines: string[];
  labels: boolean[];
}

function readLabeled(path: string): Labeled {
  const lines = readFileSync(path, 'utf8').split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  const labelColumn = lines[0]!.split(',').findIndex((name) => name.trim().replace(/"/g, '').toLowerCase() === 'label');
  if (labelColumn < 0) throw new Error(`${path}: no label column in ${JSON.stringify(lines[0])}`);
  const labels = lines.slice(1).map((line) => line.split(',')[labelColumn]?.trim().replace(/"/g, '') === '1');
  return { name: basename(path, '.csv'), lines, labels };
}

/** Scores of every row as `vigil detect` would print them, and the rows scored per second. */
function scoreThroughCli({ lines }: Labeled, createScorer: CreatePointScorer): { scores: number[]; rowsPerSecond: number } {
  const started = process.hrtime.bigint();
  const detector = createCsvDetector({ createScorer });
  const out: string[] = [];
  for (const line of lines) {
    const row = detector.push(line);
    if (row !== undefined) out.push(row);
  }
  detector.end();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (!out[0]!.endsWith(`,${scoreColumn}`) || out.length !== lines.length) throw new Error('vigil detect changed the row count');
  const scores = out.slice(1).map((row) => Number(row.slice(row.lastIndexOf(',') + 1)));
  return { scores, rowsPerSecond: scores.length / seconds };
}

const percent = (share: number): string => `${(100 * share).toFixed(1)}%`;
const points = (value: number | undefined): string => (value === undefined ? '–' : value.toFixed(1));

interface Row {
  detector: string;
  policy: string;
  evaluation: Evaluation;
  falsePositives: number;
}

function falsePositivesAt(scores: number[], labels: boolean[], threshold: number): number {
  let count = 0;
  for (let i = 0; i < scores.length; i++) if (scores[i]! >= threshold && !labels[i]) count++;
  return count;
}

function printTable(rows: Row[]): void {
  const header = ['detector', 'threshold', 'P', 'R', 'F1', 'P adj', 'R adj', 'F1 adj', 'false +', 'found', 'delay med', 'mean', 'at 1st', 'first 3', 'first 7'];
  const body = rows.map(({ detector, policy, evaluation: e, falsePositives }) => [
    detector,
    `${policy} (${e.threshold.toPrecision(3)})`,
    e.point.precision.toFixed(3),
    e.point.recall.toFixed(3),
    e.point.f1.toFixed(3),
    e.adjusted.precision.toFixed(3),
    e.adjusted.recall.toFixed(3),
    e.adjusted.f1.toFixed(3),
    String(falsePositives),
    `${e.delay.detected}/${e.delay.segments}`,
    points(e.delay.medianPoints),
    points(e.delay.meanPoints),
    percent(e.delay.withinFirst[1]!),
    percent(e.delay.withinFirst[3]!),
    percent(e.delay.withinFirst[7]!),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((cells) => cells[column]!.length)));
  const format = (cells: string[]): string => cells.map((cell, column) => (column < 2 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  console.log(format(header));
  for (const cells of body) console.log(format(cells));
}

const fixtures = fileURLToPath(new URL('../test/fixtures/kpi/', import.meta.url));
const paths = process.argv.length > 2 ? process.argv.slice(2) : readdirSync(fixtures).filter((file) => file.endsWith('.csv')).sort().map((file) => join(fixtures, file));

const summary = new Map<string, { f1: number[]; adjusted: number[]; found: number; segments: number; falsePositives: number; withinFirst3: number[] }>();
console.log('Labeled KPIs: per-point and point-adjusted precision / recall / F1, detection delay in points (5 min each).');
console.log('"best …" thresholds are picked with the labels: upper bounds, not results.\n');
for (const path of paths) {
  const series = readLabeled(path);
  const labeledPoints = series.labels.filter(Boolean).length;
  console.log(`${series.name}: ${series.labels.length} points, ${labeledPoints} anomalous in ${segmentsOf(series.labels).length} segments`);
  const rows: Row[] = [];
  const speeds: string[] = [];
  for (const detector of detectors) {
    const { scores, rowsPerSecond } = scoreThroughCli(series, detector.createScorer);
    speeds.push(`${detector.name} ${Math.round(rowsPerSecond / 1000)}k rows/s`);
    const policies: [string, number][] = [
      [detector.fixedLabel, fixedThreshold],
      ['best F1', bestF1Threshold(scores, series.labels, 'point').threshold],
      ['best F1 adj', bestF1Threshold(scores, series.labels, 'adjusted').threshold],
    ];
    for (const [policy, threshold] of policies) {
      const evaluation = evaluateAt(scores, series.labels, threshold);
      const falsePositives = falsePositivesAt(scores, series.labels, threshold);
      rows.push({ detector: detector.name, policy, evaluation, falsePositives });
      const key = `${detector.name}\t${policy === detector.fixedLabel ? 'fixed 0.5' : policy}`;
      const totals = summary.get(key) ?? { f1: [], adjusted: [], found: 0, segments: 0, falsePositives: 0, withinFirst3: [] };
      totals.f1.push(evaluation.point.f1);
      totals.adjusted.push(evaluation.adjusted.f1);
      totals.found += evaluation.delay.detected;
      totals.segments += evaluation.delay.segments;
      totals.falsePositives += falsePositives;
      totals.withinFirst3.push(evaluation.delay.withinFirst[3]!);
      summary.set(key, totals);
    }
  }
  printTable(rows);
  console.log(`(through vigil detect's CSV core: ${speeds.join(', ')})\n`);
}

const average = (values: number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;
console.log(`Summary over ${paths.length} series (F1 averaged per series; segments and false positives summed)`);
console.log(`${'detector'.padEnd(9)}  ${'threshold'.padEnd(12)}  ${'mean F1'.padStart(7)}  ${'mean F1 adj'.padStart(11)}  ${'segments found'.padStart(14)}  ${'false +'.padStart(7)}  ${'mean share in first 3'.padStart(21)}`);
for (const [key, totals] of summary) {
  const [detector, policy] = key.split('\t') as [string, string];
  console.log(
    `${detector.padEnd(9)}  ${policy.padEnd(12)}  ${average(totals.f1).toFixed(3).padStart(7)}  ${average(totals.adjusted).toFixed(3).padStart(11)}  ${`${totals.found}/${totals.segments}`.padStart(14)}  ${String(totals.falsePositives).padStart(7)}  ${percent(average(totals.withinFirst3)).padStart(21)}`,
  );
}
console.log('\nRerun: npx tsx bench/kpi-eval.bench.ts [labeled.csv …]');
