import type { Evidence, Finding } from '../core/evidence.js';
import { clamp, fact, suggestion } from '../core/format.js';
import { ratePerSecond } from '../core/scene-view.js';
import { percent } from './scene-reading.js';

/** Open file handles at least this share of fs.file-max: opens start failing with ENFILE. */
export const NEAR_LIMIT_RATIO = 0.85;

/**
 * File-descriptor exhaustion at the node: node_filefd_allocated near node_filefd_maximum
 * (fs.file-max). The collector has no per-process descriptor counts, so the suggestion finds the holder.
 */
export function fdExhaustion(evidence: Evidence): Finding | undefined {
  const { scene } = evidence;
  const allocatedSeries = scene.one('node_filefd_allocated');
  const allocated = scene.latest('node_filefd_allocated');
  const maximum = scene.latest('node_filefd_maximum') ?? scene.sysctl('fs.file-max');
  if (allocated === undefined || maximum === undefined || maximum <= 0) return undefined;
  const ratio = allocated / maximum;
  if (ratio < NEAR_LIMIT_RATIO) return undefined;

  const growth = ratePerSecond(allocatedSeries);
  const newMaximum = Math.ceil((allocated * 2) / 65536) * 65536;
  const facts = [
    fact('open file handles', allocated, 'handles', 'node_filefd_allocated'),
    fact('fs.file-max', maximum, 'handles', 'node_filefd_maximum'),
    fact('share in use', ratio, 'ratio'),
  ];
  if (growth !== undefined && growth > 0) facts.push(fact('growth', growth, 'handles/s', `full in ${Math.max(0, (maximum - allocated) / growth).toFixed(0)} s`));
  return {
    cause: 'FD_EXHAUSTION',
    summary: `${allocated} of fs.file-max = ${maximum} file handles are open (${percent(ratio)}): opens will fail with ENFILE`,
    confidence: clamp(0.65 + 2 * (ratio - NEAR_LIMIT_RATIO) + (growth !== undefined && growth > 0 ? 0.05 : 0), 0, 0.95),
    severity: ratio >= 0.95 ? 'CRITICAL' : 'WARNING',
    facts,
    suggestions: [
      suggestion('find the processes holding the most descriptors (a leak shows as one that keeps growing)', 'for p in /proc/[0-9]*; do echo "$(ls $p/fd 2>/dev/null | wc -l) ${p#/proc/} $(cat $p/comm 2>/dev/null)"; done | sort -n | tail -10'),
      suggestion(`raise fs.file-max from ${maximum} to ${newMaximum} while the holder is fixed`, `sysctl -w fs.file-max=${newMaximum}`, `fs.file-max=${newMaximum}`),
    ],
  };
}
