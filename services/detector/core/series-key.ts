/**
 * The stable key of a series: `name{k="v",...}` with labels sorted by name and values escaped as in
 * the Prometheus text format, so the same series always gets the same key (and the same anomaly id).
 */
export function seriesKey(name: string, labels: Readonly<Record<string, string>>): string {
  const parts = Object.keys(labels)
    .sort()
    .map((label) => `${label}="${escapeLabelValue(labels[label] ?? '')}"`);
  return `${name}{${parts.join(',')}}`;
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
