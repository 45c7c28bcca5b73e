import type { MetricBatch } from '../../../src/codec/records.generated.js';

/** A label value or HELP text escaped as the Prometheus text format requires (\\, ", newline). */
function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

/**
 * Batches as Prometheus exposition text, one `# source` comment per batch, so `vigil collect --once
 * --format prom` can be diffed against node_exporter's output. Label names are the collector's own
 * (already valid); label values are escaped, so a process named `a"b` cannot break a line.
 */
export function toExposition(batches: readonly MetricBatch[]): string {
  const lines: string[] = [];
  for (const batch of batches) {
    lines.push(`# source ${batch.source} node=${batch.node} cluster=${batch.cluster} timestamp_ms=${batch.timestampMs}`);
    for (const { name, labels, value } of batch.samples) {
      const keys = Object.keys(labels);
      const labelText = keys.length === 0 ? '' : `{${keys.map((key) => `${key}="${escapeLabelValue(labels[key]!)}"`).join(',')}}`;
      lines.push(`${name}${labelText} ${formatValue(value)}`);
    }
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
