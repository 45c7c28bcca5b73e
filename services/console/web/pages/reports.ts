/** Reports: the latest diagnosis reports, and one report with its evidence, findings and suggestions. */
import { html } from 'htm/preact';
import type { DiagnosisReport, ReportSummary } from '../api.js';
import { Loading, Section, Severity } from '../components/common.js';
import { entityName, formatTime, formatValue } from '../format.js';
import { usePoll } from '../poll.js';
import { Link, nodePath, reportPath } from '../router.js';

export function ReportList({ reports }: { reports: ReportSummary[] }) {
  if (reports.length === 0) return html`<p class="muted">No diagnosis reports.</p>`;
  return html`
    <table class="reports"><thead><tr><th>Time</th><th>Entity</th><th>Scenario</th><th>Root cause</th><th>Severity</th><th>Confidence</th></tr></thead>
      <tbody>${reports.map((report) => html`
        <tr data-report=${report.id}>
          <td class="nowrap">${formatTime(report.createdAtMs)}</td>
          <td>${entityName(report.entity)}</td>
          <td>${report.scenario}</td>
          <td><${Link} href=${reportPath(report.id)}><strong>${report.rootCause.code}</strong><//> <span class="summary">${report.rootCause.summary}</span></td>
          <td><${Severity} severity=${report.severity} /></td>
          <td class="num">${Math.round(report.confidence * 100)} %</td>
        </tr>`)}
      </tbody>
    </table>`;
}

export function ReportsPage() {
  const reports = usePoll<{ reports: ReportSummary[] }>('/api/console/reports?limit=200');
  if (!reports.data) return html`<${Loading} error=${reports.error} />`;
  return html`<${Section} title="Diagnosis reports"><${ReportList} reports=${reports.data.reports} /><//>`;
}

export function ReportPage({ id }: { id: string }) {
  // A report never changes: no polling needed, but a slow pipeline may publish it after the link was shared.
  const report = usePoll<DiagnosisReport>(`/api/console/reports/${encodeURIComponent(id)}`, 10_000);
  if (!report.data) return html`<${Loading} error=${report.error} />`;
  const r = report.data;
  const kubernetes = Object.entries(r.kubernetes);
  return html`
    <article class="card report" data-report=${r.id}>
      <p class="muted small">Report <code>${r.id}</code> · ${formatTime(r.createdAtMs)} · scenario ${r.scenario}</p>
      <h2 class="root-cause"><${Severity} severity=${r.severity} /> ${r.rootCause.code}</h2>
      <p class="summary lead">${r.rootCause.summary}</p>
      <p>Entity: ${r.entity.node !== null
        ? html`<${Link} href=${nodePath(r.entity.cluster, r.entity.node)}>${entityName(r.entity)}<//>`
        : entityName(r.entity)} · confidence ${Math.round(r.confidence * 100)} %</p>

      <h3>Evidence</h3>
      ${r.evidence.length === 0 ? html`<p class="muted">No facts.</p>` : html`
        <table class="evidence"><thead><tr><th>Fact</th><th>Value</th><th>Detail</th></tr></thead><tbody>
          ${r.evidence.map((fact) => html`<tr><td>${fact.name}</td><td class="num nowrap">${formatValue(fact.value, fact.unit)}</td><td>${fact.detail ?? ''}</td></tr>`)}
        </tbody></table>`}

      <h3>Suggestions</h3>
      ${r.suggestions.length === 0 ? html`<p class="muted">None.</p>` : html`
        <ol class="suggestions">${r.suggestions.map((suggestion) => html`
          <li>${suggestion.action}
            ${suggestion.setting && html`<div class="small">setting: <code>${suggestion.setting}</code></div>`}
            ${suggestion.command && html`<pre><code>${suggestion.command}</code></pre>`}
          </li>`)}
        </ol>`}

      ${r.findings.length > 0 && html`
        <h3>Other findings</h3>
        <table class="findings"><tbody>${r.findings.map((finding) => html`
          <tr><td><${Severity} severity=${finding.severity} /></td><td><strong>${finding.code}</strong> ${finding.summary}</td><td class="num">${Math.round(finding.confidence * 100)} %</td></tr>`)}
        </tbody></table>`}

      ${r.missingEvidence.length > 0 && html`
        <h3>Missing evidence</h3>
        <ul class="small">${r.missingEvidence.map((missing) => html`<li>${missing}</li>`)}</ul>`}

      ${kubernetes.length > 0 && html`
        <h3>Kubernetes context</h3>
        <table class="compact"><tbody>${kubernetes.map(([key, value]) => html`<tr><th>${key}</th><td>${value}</td></tr>`)}</tbody></table>`}

      <p class="small muted">Anomalies: ${r.anomalyIds.map((anomalyId) => html`<code>${anomalyId}</code> `)} · request <code>${r.requestId}</code></p>
    </article>`;
}
