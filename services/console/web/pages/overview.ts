/** Overview: each cluster's score and trend, open anomalies by kind, the worst nodes, the latest reports. */
import { html } from 'htm/preact';
import { useMemo } from 'preact/hooks';
import uPlot from 'uplot';
import { historyPath, type EntityScore, type HealthHistory, type Overview } from '../api.js';
import { Chart, timeAxis, valueAxis } from '../components/chart.js';
import { Grade, Loading, Score, Section } from '../components/common.js';
import { ReportList } from './reports.js';
import { NodeTable } from './nodes.js';
import { usePoll } from '../poll.js';

function ScoreTrend({ cluster }: { cluster: EntityScore }) {
  const history = usePoll<HealthHistory>(historyPath(cluster.entity));
  const data = useMemo<uPlot.AlignedData>(() => {
    const points = history.data?.points ?? [];
    // A step line: the score holds until the next change, and still holds now.
    const times = points.map((point) => point.timestampMs / 1000);
    const scores = points.map((point) => point.score);
    if (points.length > 0) {
      times.push(Math.max(Date.now() / 1000, times.at(-1)! + 1));
      scores.push(scores.at(-1)!);
    }
    return [times, scores];
  }, [history.data]);
  const options = useMemo<Omit<uPlot.Options, 'width' | 'height'>>(() => ({
    scales: { y: { range: [0, 100] } },
    series: [{}, { label: 'score', stroke: '#2563eb', width: 2, fill: 'rgba(37,99,235,0.08)', paths: uPlot.paths.stepped!({ align: 1 }) }],
    axes: [timeAxis, valueAxis((value) => String(value), 40)],
    legend: { show: false },
  }), []);
  if (!history.data) return html`<${Loading} error=${history.error} />`;
  return html`
    <${Chart} label=${`score trend of ${cluster.key}`} options=${options} data=${data} height=${200} />
    <p class="muted small">${history.data.points.length} score changes in the retained ${Math.round(history.data.retentionMinutes / 60)} h (event time)</p>`;
}

export function OverviewPage() {
  const overview = usePoll<Overview>('/api/console/overview');
  if (!overview.data) return html`<${Loading} error=${overview.error} />`;
  const { clusters, openAnomalies, openByKind, worstNodes, recentReports } = overview.data;
  const kinds = Object.entries(openByKind).filter(([, count]) => count > 0);
  return html`
    ${overview.error && html`<p class="error" role="alert">${overview.error}</p>`}
    <div class="grid">
      ${clusters.length === 0 && html`<section class="card"><h2>Cluster health</h2><p class="muted">No scores yet: nothing anomalous has been seen (every entity starts healthy).</p></section>`}
      ${clusters.map((cluster) => html`
        <section class="card cluster" data-cluster=${cluster.entity.cluster}>
          <h2>Cluster ${cluster.entity.cluster}</h2>
          <div class="headline">
            <${Score} score=${cluster.score} grade=${cluster.grade} big />
            <${Grade} grade=${cluster.grade} />
          </div>
          <p class="explanation">${cluster.explanation}</p>
          <${ScoreTrend} cluster=${cluster} />
        </section>`)}
      <${Section} title=${`Open anomalies (${openAnomalies})`} id="open-anomalies">
        ${kinds.length === 0 ? html`<p class="muted">None open.</p>` : html`
          <table class="compact"><tbody>
            ${kinds.map(([kind, count]) => html`<tr data-kind=${kind}><th>${kind}</th><td class="num">${count}</td></tr>`)}
          </tbody></table>`}
      <//>
    </div>
    <${Section} title="Worst nodes" id="worst-nodes"><${NodeTable} rows=${worstNodes} sortable=${false} /><//>
    <${Section} title="Latest diagnosis reports" id="latest-reports"><${ReportList} reports=${recentReports} /><//>`;
}
