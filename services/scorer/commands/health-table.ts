/** Renders current scores as the plain-text table `vigil health` prints. */
import type { EntityScore } from '../http/health-api.js';

const columns = ['ENTITY', 'LEVEL', 'SCORE', 'GRADE', 'TOP ITEM'] as const;
/** Top item descriptions are cut here, so a row stays on one line of a wide terminal. */
const maxItemChars = 100;

function formatScore(score: number): string {
  return Number.isInteger(score) ? String(score) : score.toFixed(2);
}

function topItem(score: EntityScore): string {
  const item = score.items[0];
  if (!item) return '-';
  const text = `-${formatScore(item.deduction)} ${item.description}`;
  return text.length > maxItemChars ? `${text.slice(0, maxItemChars - 1)}…` : text;
}

/** One row per entity in the order given (the API's: level, then entity); a line saying so when there is none. */
export function renderHealthTable(scores: EntityScore[]): string {
  if (scores.length === 0) return 'no health scores yet (the scorer has seen no anomaly or report)\n';
  const rows = scores.map((score) => [score.key, score.level, formatScore(score.score), score.grade, topItem(score)]);
  const widths = columns.map((column, i) => Math.max(column.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  return `${[line(columns), ...rows.map(line)].join('\n')}\n`;
}
