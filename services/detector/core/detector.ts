/**
 * The detector's pure core for one partition of metrics.raw: batches in, anomalies and diagnosis
 * requests out. Node-level series only (process tables are scene, not series); counters become
 * rates; each point is judged by a robust z-score on its series' window, gated by the expert
 * table; anomalies live OPEN → UPDATE → RESOLVED; an opened memory anomaly asks for a diagnosis.
 *
 * Restarts without a state store: retainFrom() is the oldest position a new detector must replay
 * from to rebuild this one's state exactly. To make that true, a series is only allowed to emit
 * once this detector can prove its lifecycle matches any predecessor's ("certain"): it was born
 * while this detector watched its source (the source's previous batch did not carry it), or the
 * detector saw the whole stream from `historyStart`, or it judged `resolveAfter` consecutive
 * normal points on full windows (after which any predecessor had nothing open either). Until then
 * a series is judged silently. So a replaying detector never opens an anomaly its predecessor did
 * not, and from the predecessor's last position on it emits exactly what the predecessor did.
 */
import type { Anomaly, DiagnosisRequest, Entity, MetricBatch } from '../../../src/codec/records.generated.js';
import { defaultExpertRules } from '../rules/index.js';
import { counterStep, isCounter } from './counter-rate.js';
import { ruleFor, type ExpertRule } from './expert-rules.js';
import { judge } from './judge.js';
import { advance, resolveGone, type OpenAnomaly, type SeriesIdentity } from './lifecycle.js';
import { defaultDiagnosisTriggers, diagnosisRequests, type DiagnosisTrigger } from './policy.js';
import { PointRing, robustBaseline } from './robust-baseline.js';
import { defaultSceneOptions, NodeScene, type SceneOptions } from './scene.js';
import { seriesKey } from './series-key.js';

export interface DetectorOptions {
  /** Points of a series' baseline window (median / MAD). */
  windowSize: number;
  /** Points a baseline needs before the robust z-score judges. */
  minPoints: number;
  /** |z| threshold; score = |z| / threshold. */
  threshold: number;
  /** MAD floor as a share of |median|, and in absolute units, for flat series. */
  madFloorRatio: number;
  madFloorAbsolute: number;
  /** Statistical score from which an anomaly is CRITICAL. */
  criticalScore: number;
  /** Consecutive normal points that resolve an anomaly (and prove a series' state after a restart). */
  resolveAfter: number;
  /** An UPDATE at least every this many anomalous points. */
  updateEvery: number;
  /** An UPDATE when the score grows by this share over the last emitted one. */
  updateScoreGrowth: number;
  /** A counter reading further than this from the previous one gives no rate. */
  counterMaxGapMs: number;
  /** A source (or node) with no batch for this long, by batch time, is forgotten. */
  staleAfterMs: number;
  /** New series of a node beyond this many are not tracked (a safety valve, see stats()). */
  maxSeriesPerNode: number;
  /** Sources that are scene only, never judged as series. */
  sceneOnlySources: readonly string[];
  scene: SceneOptions;
  rules: readonly ExpertRule[];
  triggers: readonly DiagnosisTrigger[];
  /** Position where the stream begins: a detector whose first batch is here has no predecessor. */
  historyStart: number;
}

export const defaultDetectorOptions: DetectorOptions = {
  windowSize: 30,
  minPoints: 10,
  threshold: 3.5,
  madFloorRatio: 0.001,
  madFloorAbsolute: 1e-9,
  criticalScore: 3,
  resolveAfter: 3,
  updateEvery: 10,
  updateScoreGrowth: 0.5,
  counterMaxGapMs: 5 * 60_000,
  staleAfterMs: 15 * 60_000,
  maxSeriesPerNode: 4096,
  sceneOnlySources: ['proc.processes'],
  scene: defaultSceneOptions,
  rules: defaultExpertRules,
  triggers: defaultDiagnosisTriggers,
  historyStart: 0,
};

export interface DetectorOutput {
  anomalies: Anomaly[];
  requests: DiagnosisRequest[];
}

export interface DetectorStats {
  nodes: number;
  series: number;
  /** Series judged silently until their state is proven (after a restart). */
  uncertainSeries: number;
  openAnomalies: number;
  /** New series not tracked because their node was at maxSeriesPerNode. */
  refusedSeries: number;
}

export interface Detector {
  process(batch: MetricBatch, position: number): DetectorOutput;
  /** Smallest position whose replay rebuilds the current state; undefined when there is no state. */
  retainFrom(): number | undefined;
  stats(): DetectorStats;
}

interface SeriesState {
  identity: SeriesIdentity;
  source: string;
  rule: ExpertRule;
  counter: boolean;
  previousRaw: { value: number; timestampMs: number; position: number } | undefined;
  lastTimestampMs: number;
  /** Points (rates for counters), each with the position it can be rebuilt from. */
  ring: PointRing;
  certain: boolean;
  /** When certain and idle: the position from which a replay proves the same. */
  certainAnchor: number;
  /** Consecutive normal verdicts on full windows. */
  normalRun: number;
  open: OpenAnomaly | undefined;
  /** When open: the position from which a replay re-opens it identically. */
  openAnchor: number;
}

interface SourceState {
  lastPosition: number;
  lastTimestampMs: number;
  series: Set<string>;
}

interface NodeState {
  entity: Entity;
  lastTimestampMs: number;
  series: Map<string, SeriesState>;
  sources: Map<string, SourceState>;
  scene: NodeScene;
}

export function createDetector(overrides: Partial<DetectorOptions> = {}): Detector {
  const options: DetectorOptions = { ...defaultDetectorOptions, ...overrides };
  const ringCapacity = options.windowSize + options.resolveAfter;
  const baselineOptions = { windowSize: options.windowSize, minPoints: options.minPoints, threshold: options.threshold, madFloorRatio: options.madFloorRatio, madFloorAbsolute: options.madFloorAbsolute };
  const nodes = new Map<string, NodeState>();
  /** True while nothing came before this detector and its state still needs the stream from historyStart. */
  let cold: boolean | undefined;
  let refusedSeries = 0;

  function forgetSeries(node: NodeState, key: string, observedAtMs: number, out: Anomaly[]): void {
    const state = node.series.get(key);
    if (!state) return;
    if (state.certain && state.open) out.push(resolveGone(state.open, state.identity, observedAtMs));
    node.series.delete(key);
  }

  /** Forgets nodes not heard from for staleAfterMs, and the current node's sources that went quiet (by its own clock). */
  function evictStale(nodeKey: string, timestampMs: number, out: Anomaly[]): void {
    const horizon = timestampMs - options.staleAfterMs;
    for (const [key, node] of nodes) {
      if (key === nodeKey || node.lastTimestampMs >= horizon) continue;
      for (const seriesKey of [...node.series.keys()]) forgetSeries(node, seriesKey, timestampMs, out);
      nodes.delete(key);
    }
    const node = nodes.get(nodeKey);
    if (!node) return;
    for (const [source, sourceState] of node.sources) {
      if (sourceState.lastTimestampMs >= horizon) continue;
      for (const key of sourceState.series) forgetSeries(node, key, timestampMs, out);
      node.sources.delete(source);
    }
  }

  function anchorOf(state: SeriesState): number | undefined {
    const own = state.certain ? (state.open ? state.openAnchor : state.certainAnchor) : state.ring.oldestPosition();
    const raw = state.previousRaw?.position;
    if (own === undefined) return raw;
    return raw === undefined ? own : Math.min(own, raw);
  }

  function observe(node: NodeState, state: SeriesState, raw: number, timestampMs: number, position: number, batchValues: Map<string, number>, out: Anomaly[], askers: Anomaly[]): void {
    if (timestampMs <= state.lastTimestampMs) return;
    state.lastTimestampMs = timestampMs;
    let value = raw;
    let pointPosition = position;
    if (state.counter) {
      const step = counterStep(state.previousRaw, { value: raw, timestampMs }, options.counterMaxGapMs);
      const previousPosition = state.previousRaw?.position;
      state.previousRaw = { value: raw, timestampMs, position };
      if (step.kind !== 'rate' || previousPosition === undefined) return;
      value = step.perSecond;
      pointPosition = previousPosition;
    }

    const window = state.ring.lastValues(options.windowSize);
    const verdict = judge(value, robustBaseline(window, baselineOptions), state.rule, batchValues, options, window);
    const fullWindow = window.length >= options.windowSize;

    if (state.certain && verdict) {
      const anchorBefore = anchorOf(state) ?? pointPosition;
      const before = state.open;
      const { open, record } = advance(state.open, verdict, value, timestampMs, state.identity, options);
      if (!before && open) state.openAnchor = Math.min(anchorBefore, node.scene.oldestPosition() ?? anchorBefore);
      state.open = open;
      if (record) out.push(record);
      // Opening, and turning CRITICAL later, are what ask for a diagnosis (see policy.ts).
      if (record && (record.state === 'OPEN' || (before && before.severity !== 'CRITICAL' && open?.severity === 'CRITICAL'))) askers.push(record);
    }
    state.normalRun = verdict && fullWindow && !verdict.anomalous ? state.normalRun + 1 : 0;
    state.ring.push(value, pointPosition);
    if (state.normalRun >= options.resolveAfter && state.ring.full && !state.open) {
      state.certain = true;
      state.certainAnchor = state.ring.oldestPosition()!;
    }
  }

  function process(batch: MetricBatch, position: number): DetectorOutput {
    cold ??= position === options.historyStart;
    const anomalies: Anomaly[] = [];
    const askers: Anomaly[] = [];
    const nodeKey = `${batch.cluster}/${batch.node}`;
    evictStale(nodeKey, batch.timestampMs, anomalies);

    let node = nodes.get(nodeKey);
    if (!node) {
      node = {
        entity: { cluster: batch.cluster, node: batch.node, namespace: null, pod: null, container: null },
        lastTimestampMs: batch.timestampMs,
        series: new Map(),
        sources: new Map(),
        scene: new NodeScene(options.scene),
      };
      nodes.set(nodeKey, node);
    }
    node.lastTimestampMs = batch.timestampMs;
    node.scene.observe(batch, position);
    if (options.sceneOnlySources.includes(batch.source)) return { anomalies, requests: [] };

    const before = node.sources.get(batch.source);
    const batchValues = new Map<string, number>();
    for (const sample of batch.samples) {
      if (Object.keys(sample.labels).length === 0 && Number.isFinite(sample.value) && !batchValues.has(sample.name)) batchValues.set(sample.name, sample.value);
    }

    const seen = new Set<string>();
    const tracked = new Set<string>();
    for (const sample of batch.samples) {
      if ('pid' in sample.labels) continue;
      const key = seriesKey(sample.name, sample.labels);
      if (seen.has(key)) continue;
      seen.add(key);
      let state = node.series.get(key);
      if (!state) {
        if (!Number.isFinite(sample.value)) continue;
        const rule = ruleFor(options.rules, sample.name, sample.labels);
        if (!rule || rule.judge === false) continue;
        if (node.series.size >= options.maxSeriesPerNode) {
          refusedSeries++;
          continue;
        }
        // Born while this detector watched the source, or nothing came before this detector (and a
        // replay would still start at historyStart; once it would not, a replayer could not know).
        // Nothing retained yet means a replay would start at this very record.
        if (!before && cold && (retainFrom() ?? position) !== options.historyStart) cold = false;
        const certainAnchor = before ? before.lastPosition : cold ? options.historyStart : undefined;
        state = {
          identity: { entity: node.entity, metric: sample.name, series: key, labels: { ...sample.labels } },
          source: batch.source,
          rule,
          counter: isCounter(sample.name),
          previousRaw: undefined,
          lastTimestampMs: Number.NEGATIVE_INFINITY,
          ring: new PointRing(ringCapacity),
          certain: certainAnchor !== undefined,
          certainAnchor: certainAnchor ?? position,
          normalRun: 0,
          open: undefined,
          openAnchor: position,
        };
        node.series.set(key, state);
      }
      tracked.add(key);
      if (Number.isFinite(sample.value)) observe(node, state, sample.value, batch.timestampMs, position, batchValues, anomalies, askers);
    }
    // A series its source no longer carries is forgotten, so "born" means the same to every detector.
    for (const key of before?.series ?? []) if (!tracked.has(key)) forgetSeries(node, key, batch.timestampMs, anomalies);
    node.sources.set(batch.source, { lastPosition: position, lastTimestampMs: batch.timestampMs, series: tracked });

    const requests = askers.length > 0 ? diagnosisRequests(askers, node.scene.samples(), options.triggers) : [];
    return { anomalies, requests };
  }

  function retainFrom(): number | undefined {
    let oldest: number | undefined;
    const consider = (position: number | undefined): void => {
      if (position !== undefined && (oldest === undefined || position < oldest)) oldest = position;
    };
    for (const node of nodes.values()) {
      consider(node.scene.oldestPosition());
      // A source's last batch tells a replayer that series appearing later are newborn.
      for (const source of node.sources.values()) consider(source.lastPosition);
      for (const state of node.series.values()) consider(anchorOf(state));
    }
    return oldest;
  }

  function stats(): DetectorStats {
    let series = 0;
    let uncertainSeries = 0;
    let openAnomalies = 0;
    for (const node of nodes.values()) {
      series += node.series.size;
      for (const state of node.series.values()) {
        if (!state.certain) uncertainSeries++;
        if (state.open) openAnomalies++;
      }
    }
    return { nodes: nodes.size, series, uncertainSeries, openAnomalies, refusedSeries };
  }

  return { process, retainFrom, stats };
}
