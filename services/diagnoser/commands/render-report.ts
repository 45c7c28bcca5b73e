/**
 * Diagnosis reports as text for a person, over the core's renderer (core/render.ts): `renderReports`
 * (what `vigil diagnose DIR` prints: each cause found, or "no root cause found" with what was
 * checked) and `explainReport` (what `vigil explain` prints: the chain from each fact to the
 * conclusion, the context used, what was not seen, the findings that lost). Pure.
 */
import type { DiagnosisReport, Fact, Suggestion } from '../../../src/codec/records.generated.js';
import { formatFactValue, renderReport } from '../core/render.js';

function entityName(report: DiagnosisReport): string {
  const { entity } = report;
  const pod = entity.namespace && entity.pod ? ` pod ${entity.namespace}/${entity.pod}${entity.container ? `/${entity.container}` : ''}` : '';
  return `${entity.cluster}/${entity.node ?? '-'}${pod}`;
}

function factLine(fact: Fact): string {
  return `${fact.name}: ${formatFactValue(fact)}${fact.detail ? ` (${fact.detail})` : ''}`;
}

function suggestionLines(suggestion: Suggestion, indent: string): string[] {
  const lines = [`${indent}- ${suggestion.action}`];
  if (suggestion.setting) lines.push(`${indent}  setting: ${suggestion.setting}`);
  if (suggestion.command) lines.push(`${indent}  $ ${suggestion.command}`);
  return lines;
}

const percent = (confidence: number): string => `${Math.round(confidence * 100)} %`;

/** The reports of `vigil diagnose DIR`: each found cause, or "no root cause found" with what was checked. */
export function renderReports(reports: readonly DiagnosisReport[], noCauseCodes: ReadonlySet<string>): string {
  if (reports.length === 0) return 'no report\n';
  if (reports.every((report) => noCauseCodes.has(report.rootCause.code))) {
    const lines = ['no root cause found', '  checked:', ...reports.map((report) => `    - ${report.scenario}: ${report.rootCause.summary}`)];
    const missing = [...new Set(reports.flatMap((report) => report.missingEvidence ?? []))];
    if (missing.length > 0) lines.push('  not seen:', ...missing.map((line) => `    - ${line}`));
    return `${lines.join('\n')}\n`;
  }
  return reports.map((report) => `${renderReport(report)}\n`).join('\n');
}

/** The evidence chain of one report: each fact, the conclusion it supports, what follows, and the limits of what was seen. */
export function explainReport(report: DiagnosisReport): string {
  const lines = [
    `report ${report.id}`,
    `  answers request ${report.requestId} (${report.scenario} on ${entityName(report)}${report.anomalyIds.length > 0 ? `, anomalies ${report.anomalyIds.join(', ')}` : ''}), at ${new Date(report.createdAtMs).toISOString()}`,
    '',
    'what was measured:',
    ...(report.evidence.length > 0 ? report.evidence.map((fact, index) => `  ${index + 1}. ${factLine(fact)}`) : ['  (no facts: nothing in the scene supported a cause)']),
    '',
    `so: ${report.rootCause.code} — ${report.rootCause.summary}`,
    `  confidence ${percent(report.confidence)}, severity ${report.severity}`,
  ];
  const kubernetes = Object.entries(report.kubernetes);
  lines.push('', 'Kubernetes context used:', ...(kubernetes.length > 0 ? kubernetes.map(([key, value]) => `  ${key}: ${value}`) : ['  none']));
  if (report.suggestions.length > 0) lines.push('', 'therefore:', ...report.suggestions.flatMap((suggestion) => suggestionLines(suggestion, '  ')));
  const others = report.findings ?? [];
  lines.push('', 'other causes the rules found (weaker):', ...(others.length > 0 ? others.map((finding) => `  - ${finding.code} ${percent(finding.confidence)} ${finding.severity}: ${finding.summary}`) : ['  none']));
  const missing = report.missingEvidence ?? [];
  lines.push('', 'not seen (the conclusion does not rest on these):', ...(missing.length > 0 ? missing.map((line) => `  - ${line}`) : ['  nothing reported missing']));
  return `${lines.join('\n')}\n`;
}
