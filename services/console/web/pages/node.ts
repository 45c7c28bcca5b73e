/**
 * One node: its score and why, its pods' scores, its anomalies on a timeline with the chosen one's
 * series plotted against the expected band, and its diagnosis reports.
 */
import { html } from 'htm/preact';
import { useMemo, useState } from 'preact/hooks';
import uPlot from 'uplot';
import { historyPath, type ConsoleAnomaly, type HealthHistory, type NodeDetail } from '../api.js';
import { Chart, timeAxis, valueAxis } from '../components/chart.js';
import { Grade, Loading, Score, Section, Severity } from '../components/common.js';
import { entityName, formatTime, formatValue, unitOf } from '../format.js';
import { usePoll } from '../poll.js';
import { ReportList } from './reports.js';

/** The anomaly's steps: observed value against the expected band (uPlot band between the edges). */
export function AnomalyChart({ anomaly }: { anomaly: ConsoleAnomaly }) {
  const unit = unitOf(anomaly.metric);
  const data = useMemo<uPlot.AlignedData>(() => [
    anomaly.steps.map((step) => step.atMs / 1000),
    anomaly.steps.map((step) => step.expectedHigh),
    anomaly.steps.map((step) => step.expectedLow),
    anomaly.steps.map((step) => step.value),
  ], [anomaly]);
  const options = useMemo<Omit<uPlot.Options, 'width' | 'height'>>(() => ({
    series: [
      {},
      { label: 'expected high', stroke: 'rgba(22,163,74,0.6)', width: 1, dash: [4, 4] },
      { label: 'expected low', stroke: 'rgba(22,163,74,0.6)', width: 1, dash: [4, 4] },
      { label: 'observed', stroke: '#dc2626', width: 2, points: { show: true, size: 5 } },
    ],
    bands: [{ series: [1, 2], fill: 'rgba(22,163,74,0.12)' }],
    axes: [timeAxis, valueAxis((value) => formatValue(value, unit), 80)],
    legend: { show: true },
  }), [anomaly.id, unit]);
  return html`<${Chart} label=${`${anomaly.series} against its expected band`} options=${options} data=${data} height=${220} />
    <p class="muted small">Steps the detector published (OPEN, an UPDATE at least every 10 anomalous points, RESOLVED); the band is the expected range at each step.</p>`;
}

function Timeline({ anomalies, selected, onSelect }: { anomalies: ConsoleAnomaly[]; selected: string | undefined; onSelect: (id: string) => void }) {
  if (anomalies.length === 0) return html`<p class="muted">No anomalies on this node or its pods.</p>`;
  const start = Math.min(...anomalies.map((anomaly) => anomaly.openedAtMs));
  const end = Math.max(...anomalies.map((anomaly) => anomaly.resolvedAtMs ?? anomaly.observedAtMs), start + 1);
  const percent = (ms: number): number => ((ms - start) / (end - start)) * 100;
  const ordered = [...anomalies].sort((a, b) => a.openedAtMs - b.openedAtMs);
  return html`
    <div class="timeline-scale muted small"><span>${formatTime(start)}</span><span>${formatTime(end)}</span></div>
    <ul class="timeline">
      ${ordered.map((anomaly) => {
        const left = percent(anomaly.openedAtMs);
        const width = Math.max(0.8, percent(anomaly.resolvedAtMs ?? anomaly.observedAtMs) - left);
        return html`
          <li class=${`timeline-row ${anomaly.id === selected ? 'selected' : ''}`} data-anomaly=${anomaly.id} data-kind=${anomaly.kind} data-open=${String(anomaly.open)}>
            <button class="timeline-label" onClick=${() => onSelect(anomaly.id)} title=${anomaly.series}>
              <${Severity} severity=${anomaly.severity} /> ${anomaly.kind} <code>${anomaly.series}</code>
              ${anomaly.entity.pod ? html` <span class="muted">on ${entityName(anomaly.entity)}</span>` : ''}
              <span class="muted small"> ${anomaly.open ? 'open' : anomaly.state === 'RESOLVED' ? 'resolved' : 'stale'}</span>
            </button>
            <div class="timeline-track"><div class=${`timeline-bar ${anomaly.open ? 'open' : 'closed'} severity-${anomaly.severity.toLowerCase()}`}
              style=${`left:${left}%;width:${width}%`}></div></div>
          </li>`;
      })}
    </ul>`;
}

function NodeTrend({ detail }: { detail: NodeDetail }) {
  const history = usePoll<HealthHistory>(detail.health ? historyPath(detail.health.entity) : undefined);
  const data = useMemo<uPlot.AlignedData>(() => {
    const points = history.data?.points ?? [];
    return [points.map((point) => point.timestampMs / 1000), points.map((point) => point.score)];
  }, [history.data]);
  const options = useMemo<Omit<uPlot.Options, 'width' | 'height'>>(() => ({
    scales: { y: { range: [0, 100] } },
    series: [{}, { label: 'score', stroke: '#2563eb', width: 2, paths: uPlot.paths.stepped!({ align: 1 }) }],
    axes: [timeAxis, valueAxis((value) => String(value), 40)],
    legend: { show: false },
  }), []);
  if (!detail.health) return null;
  if (!history.data) return html`<${Loading} error=${history.error} />`;
  return html`<${Chart} label="node score trend" options=${options} data=${data} height=${160} />`;
}

export function NodePage({ cluster, node }: { cluster: string; node: string }) {
  const detail = usePoll<NodeDetail>(`/api/console/nodes/${encodeURIComponent(cluster)}/${encodeURIComponent(node)}`);
  const [chosen, setChosen] = useState<string | undefined>(undefined);
  if (!detail.data) return html`<${Loading} error=${detail.error} />`;
  const { node: row, health, pods, anomalies, reports } = detail.data;
  const selected = anomalies.find((anomaly) => anomaly.id === chosen) ?? anomalies.find((anomaly) => anomaly.open) ?? anomalies[0];
  return html`
    <section class="card" id="node-health">
      <h2>Node ${row.key}</h2>
      <div class="headline"><${Score} score=${row.score} grade=${row.grade} big /><${Grade} grade=${row.grade} /></div>
      ${health
        ? html`<p class="explanation">${health.explanation}</p>
          <table class="compact items"><tbody>${health.items.map((item) => html`<tr><td class="num">−${item.deduction}</td><td>${item.description}</td></tr>`)}</tbody></table>`
        : html`<p class="muted">No score: the scorer has not charged this node anything.</p>`}
      <${NodeTrend} detail=${detail.data} />
    </section>
    <${Section} title=${`Pods (${pods.length})`} id="pods">
      ${pods.length === 0 ? html`<p class="muted">No pod of this node has a score.</p>` : html`
        <table><thead><tr><th>Pod</th><th>Score</th><th>Grade</th><th>Why</th></tr></thead><tbody>
          ${pods.map((pod) => html`<tr data-pod=${pod.key}><td>${pod.entity.namespace}/${pod.entity.pod}</td><td class="num"><${Score} score=${pod.score} grade=${pod.grade} /></td><td><${Grade} grade=${pod.grade} /></td><td class="small">${pod.items[0]?.description ?? ''}</td></tr>`)}
        </tbody></table>`}
    <//>
    <${Section} title=${`Anomalies (${anomalies.filter((anomaly) => anomaly.open).length} open, ${anomalies.length} listed)`} id="anomalies">
      <${Timeline} anomalies=${anomalies} selected=${selected?.id} onSelect=${setChosen} />
      ${selected && html`
        <div class="anomaly-detail" data-anomaly=${selected.id}>
          <h3>${selected.kind} on <code>${selected.series}</code></h3>
          <p class="small">
            <${Severity} severity=${selected.severity} /> score ${selected.score.toFixed(2)} ·
            ${formatValue(selected.value, unitOf(selected.metric))} outside ${formatValue(selected.expectedLow, unitOf(selected.metric))} … ${formatValue(selected.expectedHigh, unitOf(selected.metric))} ·
            opened ${formatTime(selected.openedAtMs)}${selected.resolvedAtMs ? ` · resolved ${formatTime(selected.resolvedAtMs)}` : ''} · models ${selected.models.join(', ')}
          </p>
          <${AnomalyChart} anomaly=${selected} />
        </div>`}
    <//>
    <${Section} title=${`Reports (${reports.length})`} id="node-reports"><${ReportList} reports=${reports} /><//>`;
}
