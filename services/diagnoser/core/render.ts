/**
 * A diagnosis report for people: one line for logs and chat titles, a block of text for the CLI
 * (`vigil diagnose`, `vigil explain`) and for the notifier's message bodies. JSON for downstream is
 * the record itself. Pure: the same report always renders the same text.
 */
import type { DiagnosisReport, Fact } from '../../../src/codec/records.generated.js';
import { formatBytes, formatBytesPerSecond } from './format.js';

/** A fact's value in its unit: bytes as KiB/MiB/GiB, ratios as percent, seconds with one decimal. */
export function formatFactValue(f: Pick<Fact, 'value' | 'unit'>): string {
  switch (f.unit) {
    case 'bytes':
      return formatBytes(f.value);
    case 'bytes/s':
      return formatBytesPerSecond(f.value);
    case 'ratio':
      return `${(f.value * 100).toFixed(f.value < 0.1 ? 1 : 0)} %`;
    case 'seconds':
      return `${f.value.toFixed(1)} s`;
    case '':
      return Number.isInteger(f.value) ? String(f.value) : f.value.toFixed(2);
    default:
      return `${Number.isInteger(f.value) ? f.value : f.value.toFixed(2)} ${f.unit}`;
  }
}

const where = (report: DiagnosisReport): string => {
  const { cluster, node, namespace, pod, container } = report.entity;
  return [cluster, node ?? '-'].join('/') + (pod ? ` ${namespace ?? ''}/${pod}${container ? `/${container}` : ''}` : '');
};

/** `[CRITICAL] prod/worker-7 OOM OOM_LEAK: <summary> (confidence 0.82)`. */
export function renderReportLine(report: DiagnosisReport): string {
  return `[${report.severity}] ${where(report)} ${report.scenario} ${report.rootCause.code}: ${report.rootCause.summary} (confidence ${report.confidence.toFixed(2)})`;
}

/**
 * The whole report as text: the root cause, its evidence, the fixes (with the command and the
 * setting), the other findings ranked, the Kubernetes context used and what could not be seen.
 */
export function renderReport(report: DiagnosisReport): string {
  const lines = [renderReportLine(report), ''];
  if (report.evidence.length > 0) {
    lines.push('Evidence:');
    for (const f of report.evidence) lines.push(`  - ${f.name}: ${formatFactValue(f)}${f.detail ? ` (${f.detail})` : ''}`);
  }
  if (report.suggestions.length > 0) {
    lines.push('Fix:');
    report.suggestions.forEach((s, i) => {
      lines.push(`  ${i + 1}. ${s.action}`);
      if (s.setting) lines.push(`     setting: ${s.setting}`);
      if (s.command) lines.push(`     $ ${s.command}`);
    });
  }
  const findings = report.findings ?? [];
  if (findings.length > 0) {
    lines.push('Also found:');
    for (const f of findings) lines.push(`  - [${f.severity}] ${f.code} (confidence ${f.confidence.toFixed(2)}): ${f.summary}`);
  }
  const kubernetes = Object.entries(report.kubernetes ?? {});
  if (kubernetes.length > 0) {
    lines.push('Kubernetes:');
    for (const [key, value] of kubernetes) lines.push(`  ${key}: ${value}`);
  }
  const missing = report.missingEvidence ?? [];
  if (missing.length > 0) {
    lines.push('Could not see:');
    for (const m of missing) lines.push(`  - ${m}`);
  }
  lines.push(`report ${report.id} for request ${report.requestId} at ${new Date(report.createdAtMs).toISOString()}`);
  return lines.join('\n');
}
