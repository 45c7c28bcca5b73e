/** How numbers, times and entities read on the pages. */
import type { Entity } from './api.js';

export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return new Date(ms).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function formatAgo(ms: number, nowMs = Date.now()): string {
  const seconds = Math.round((nowMs - ms) / 1000);
  if (seconds < 60) return `${Math.max(0, seconds)} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86_400)} d ago`;
}

const byteUnits = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** A value in its unit: bytes scaled to KiB…TiB, ratios as percent, other numbers to 3 significant digits. */
export function formatValue(value: number, unit = ''): string {
  if (!Number.isFinite(value)) return String(value);
  if (unit.startsWith('bytes')) {
    let scaled = value;
    let index = 0;
    while (Math.abs(scaled) >= 1024 && index < byteUnits.length - 1) {
      scaled /= 1024;
      index++;
    }
    return `${scaled.toFixed(index === 0 ? 0 : 1)} ${byteUnits[index]}${unit.slice('bytes'.length)}`;
  }
  if (unit === 'ratio') return `${(value * 100).toFixed(1)} %`;
  const shown = Math.abs(value) >= 1000 ? Math.round(value).toLocaleString() : Number(value.toPrecision(3)).toString();
  return unit ? `${shown} ${unit}` : shown;
}

/** The unit a metric name carries (Prometheus style). */
export function unitOf(metric: string): string {
  if (metric.endsWith('_bytes')) return 'bytes';
  if (metric.endsWith('_ratio')) return 'ratio';
  if (metric.endsWith('_seconds')) return 's';
  return '';
}

export function entityName(entity: Entity): string {
  return [entity.cluster, entity.node, entity.namespace, entity.pod, entity.container].filter((part) => part !== null).join('/');
}

export function gradeClass(grade: string | null | undefined): string {
  return `grade grade-${(grade ?? 'unknown').toLowerCase()}`;
}
