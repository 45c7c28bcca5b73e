/** Nodes: every node with a score, open anomalies or a report, in a table sortable by any column. */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import type { NodeRow } from '../api.js';
import { Grade, Loading, Score } from '../components/common.js';
import { formatAgo } from '../format.js';
import { usePoll } from '../poll.js';
import { Link, nodePath, reportPath } from '../router.js';

type Column = 'node' | 'score' | 'grade' | 'openAnomalies' | 'lastReport';
const columns: { key: Column; title: string }[] = [
  { key: 'node', title: 'Node' },
  { key: 'score', title: 'Score' },
  { key: 'grade', title: 'Grade' },
  { key: 'openAnomalies', title: 'Open anomalies' },
  { key: 'lastReport', title: 'Last report' },
];
const gradeOrder: Record<string, number> = { CRITICAL: 0, WARNING: 1, HEALTHY: 2, UNKNOWN: 3 };

function sortValue(row: NodeRow, column: Column): string | number {
  switch (column) {
    case 'node': return row.key;
    case 'score': return row.score ?? 100;
    case 'grade': return gradeOrder[row.grade ?? 'UNKNOWN'] ?? 3;
    case 'openAnomalies': return row.openAnomalies;
    case 'lastReport': return row.lastReport?.createdAtMs ?? 0;
  }
}

export function NodeTable({ rows, sortable = true }: { rows: NodeRow[]; sortable?: boolean }) {
  const [sort, setSort] = useState<{ column: Column; ascending: boolean }>({ column: 'score', ascending: true });
  const sorted = sortable
    ? [...rows].sort((a, b) => {
      const x = sortValue(a, sort.column);
      const y = sortValue(b, sort.column);
      const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return (sort.ascending ? order : -order) || a.key.localeCompare(b.key);
    })
    : rows;
  const header = (column: { key: Column; title: string }) => {
    if (!sortable) return html`<th>${column.title}</th>`;
    const active = sort.column === column.key;
    const toggle = (): void => setSort({ column: column.key, ascending: active ? !sort.ascending : column.key === 'node' || column.key === 'score' || column.key === 'grade' });
    return html`<th aria-sort=${active ? (sort.ascending ? 'ascending' : 'descending') : 'none'}>
      <button class="sort" onClick=${toggle}>${column.title}${active ? (sort.ascending ? ' ▲' : ' ▼') : ''}</button></th>`;
  };
  if (rows.length === 0) return html`<p class="muted">No node has a score, an anomaly or a report yet.</p>`;
  return html`
    <table class="nodes">
      <thead><tr>${columns.map(header)}</tr></thead>
      <tbody>
        ${sorted.map((row) => html`
          <tr data-node=${row.key}>
            <td><${Link} href=${nodePath(row.cluster, row.node)}>${row.key}<//></td>
            <td class="num"><${Score} score=${row.score} grade=${row.grade} /></td>
            <td><${Grade} grade=${row.grade} /></td>
            <td class="num">${row.openAnomalies}</td>
            <td>${row.lastReport
              ? html`<${Link} href=${reportPath(row.lastReport.id)}>${row.lastReport.rootCause.code}<//> <span class="muted small">${formatAgo(row.lastReport.createdAtMs)}</span>`
              : html`<span class="muted">—</span>`}</td>
          </tr>`)}
      </tbody>
    </table>`;
}

export function NodesPage() {
  const nodes = usePoll<{ nodes: NodeRow[] }>('/api/console/nodes');
  if (!nodes.data) return html`<${Loading} error=${nodes.error} />`;
  return html`<section class="card"><h2>Nodes</h2><${NodeTable} rows=${nodes.data.nodes} /></section>`;
}
