/**
 * The detector's pure core for one partition of metrics.raw: batches in, anomalies and diagnosis
 * requests out. Series matched by an expert rule (rule file, ../rules/default-rules.yaml) are
 * tracked: counters become rates; each point gets the statistics' verdict (judge.ts), gated by the
 * rule, plus the rule's threshold (on the value or its ratio to a partner series of the same
 * batch); anomalies live OPEN → UPDATE → RESOLVED (lifecycle.ts). Kernel event samples open EVENT
 * anomalies directly. Anomalies whose rule names a scenario ask for a diagnosis (policy.ts) with the
 * node's scene (scene.ts). Process tables are scene, not series. A series carrying pod labels
 * (namespace, pod, container) is the pod's. Bad input (non-finite values, negative counters,
 * duplicate series in a batch, timestamps not after the series' last, metrics no rule knows) is
 * skipped and counted in stats().
 *
 * Restarts without a state store: retainFrom() is the oldest position a new detector must replay
 * from to rebuild this one's state exactly. To make that true, a series is only allowed to emit
 * once this detector can prove its lifecycle matches any predecessor's ("certain"): it was born
 * while this detector watched its source (the source's previous batch did not carry it), or the
 * detector saw the whole stream from `historyStart`, or it judged max(resolveAfter, openWindow)
 * consecutive quiet points on full windows (after which any predecessor had nothing open and
 * nothing pending either). Until then a series is judged silently. So a replaying detector never
 * opens an anomaly its predecessor did not, and from the predecessor's last position on it emits
 * exactly what the predecessor did. Kernel events and rate-limit entries keep the position they
 * can be rebuilt from until they are forgotten.
 */
import type { Anomaly, ClassifiedSeries, DiagnosisRequest, Entity, MetricBatch, Sample, SceneSample } from '../../../src/codec/records.generated.js';
import { deterministicId } from '../../../src/codec/ids.js';
import { defaultRules } from '../rules/rule-file.js';
import { counterStep, isCounter } from './counter-rate.js';
import { isTracked, partnerMetrics, readThreshold, ruleFor, type ExpertRule } from './expert-rules.js';
import { createSeriesScorer } from '../engine/create-series-scorer.js';
import type { SeriesClass, SeriesScorer } from '../engine/series-scorer.js';
import { judge, statistics } from './judge.js';
import { advance, newLifecycle, openEvent, resolveGone, type LifecycleState, type OpenAnomaly, type SeriesIdentity } from './lifecycle.js';
import { defaultPolicyOptions, NodePolicy, windowLabel, type Asker, type PolicyOptions } from './policy.js';
import { PointRing } from './robust-baseline.js';
import { defaultSceneOptions, NodeScene, type SceneOptions } from './scene.js';
import { seriesKey } from './series-key.js';

export interface DetectorOptions {
  /** Points of a series' baseline window (median / MAD). */
  windowSize: number;
  /** Points a series' engine must have seen before its class is published. */
  classifyAfterPoints: number;
  /** A series' class is published again after this many points even when it did not change. */
  classifiedEveryPoints: number;
  /** Points a baseline needs before the robust z-score judges. */
  minPoints: number;
  /** |z| threshold; score = |z| / threshold. */
  threshold: number;
  /** MAD floor as a share of |median|, and in absolute units, for flat series. */
  madFloorRatio: number;
  madFloorAbsolute: number;
  /** Statistical score from which an anomaly is CRITICAL (unless its rule sets a severity). */
  criticalScore: number;
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
  /** Kernel events a node remembers at most (open, or recently resolved so a repeat is recognised). */
  maxEventsPerNode: number;
  /** An event is remembered this long after its own time, so the collector re-publishing it (after a restart) opens nothing new. */
  eventMemoryMs: number;
  /** Sources that are scene only, never judged as series. */
  sceneOnlySources: readonly string[];
  scene: SceneOptions;
  /** The expert rules, first match wins; the shipped default-rules.yaml when absent. */
  rules?: readonly ExpertRule[];
  policy: PolicyOptions;
  /** Position where the stream begins: a detector whose first batch is here has no predecessor. */
  historyStart: number;
}

export const defaultDetectorOptions: DetectorOptions = {
  windowSize: 30,
  classifyAfterPoints: 64,
  classifiedEveryPoints: 720,
  minPoints: 10,
  threshold: 3.5,
  madFloorRatio: 0.001,
  madFloorAbsolute: 1e-9,
  criticalScore: 3,
  updateEvery: 10,
  updateScoreGrowth: 0.5,
  counterMaxGapMs: 5 * 60_000,
  staleAfterMs: 15 * 60_000,
  maxSeriesPerNode: 4096,
  maxEventsPerNode: 1024,
  eventMemoryMs: 15 * 60_000,
  sceneOnlySources: ['proc.processes'],
  scene: defaultSceneOptions,
  policy: defaultPolicyOptions,
  historyStart: 0,
};

export interface DetectorOutput {
  anomalies: Anomaly[];
  requests: DiagnosisRequest[];
  /** series.classified: a judged series' class when it changes, and every classifiedEveryPoints points. */
  classified: ClassifiedSeries[];
}

export interface DetectorStats {
  nodes: number;
  series: number;
  /** Series judged silently until their state is proven (after a restart). */
  uncertainSeries: number;
  /** Open anomalies, kernel events included. */
  openAnomalies: number;
  /** New series not tracked because their node was at maxSeriesPerNode. */
  refusedSeries: number;
  /** Samples skipped: NaN or ±Infinity. */
  nonFiniteSamples: number;
  /** Samples skipped: a counter (…_total, vmstat events) below zero. */
  negativeCounterSamples: number;
  /** Samples skipped: empty metric name. */
  invalidSamples: number;
  /** Samples skipped: the same series twice in one batch (the first is used). */
  duplicateSamples: number;
  /** Samples skipped: a tracked series' timestamp not after its last (duplicate or out of order). */
  outOfOrderSamples: number;
  /** Samples skipped: no expert rule knows the metric (e.g. a Prometheus scrape's own series). */
  unknownSamples: number;
  /** Kernel events that opened an EVENT anomaly. */
  events: number;
  /** Kernel event samples seen again (same series and time): nothing new opened. */
  repeatedEvents: number;
  /** Kernel events not tracked because their node remembered maxEventsPerNode. */
  refusedEvents: number;
  /** Diagnosis requests not sent because their entity and scenario had one within the rate limit. */
  rateLimitedRequests: number;
  /** Scene samples dropped to keep each node's scene within its bound. */
  sceneSamplesDropped: number;
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
  /** Judged (statistics or threshold); false for a counter kept only as another rule's partner. */
  judged: boolean;
  counter: boolean;
  /** Consecutive quiet points that prove the state after a restart. */
  proofPoints: number;
  previousRaw: { value: number; timestampMs: number; position: number } | undefined;
  lastTimestampMs: number;
  /** Points (rates for counters), each with the position it can be rebuilt from. */
  ring: PointRing;
  /**
   * The detection engine (services/detector/engine) of a statistically judged series: it classifies
   * the series for series.classified. It does not decide anomalies here: its state spans days of
   * points, which a detector taking over a partition cannot rebuild from the bounded replay that
   * makes lifecycles exact (see the header), so anomalies stay with the window's robust z-score,
   * the rule's trend and thresholds until engine state survives a handover.
   */
  scorer: SeriesScorer | undefined;
  publishedClass: SeriesClass | undefined;
  pointsSinceClassified: number;
  certain: boolean;
  /** When certain and idle: the position from which a replay proves the same. */
  certainAnchor: number;
  /** Consecutive quiet verdicts on full windows. */
  quietRun: number;
  lifecycle: LifecycleState;
  /** When open: the position from which a replay re-opens it identically. */
  openAnchor: number;
  /** When the rule's threshold was first crossed in the current run of crossed points. */
  thresholdSinceMs: number | undefined;
}

interface EventState {
  identity: SeriesIdentity;
  open: OpenAnomaly | undefined;
  resolveAtMs: number;
  forgetAtMs: number;
  anchor: number;
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
  events: Map<string, EventState>;
  policy: NodePolicy;
  /** Rate-limit decisions that read an earlier request: that request's anchor → the last position that decided by it. */
  dependencies: Map<number, number>;
}

interface Counts {
  refusedSeries: number;
  nonFiniteSamples: number;
  negativeCounterSamples: number;
  invalidSamples: number;
  duplicateSamples: number;
  outOfOrderSamples: number;
  unknownSamples: number;
  events: number;
  repeatedEvents: number;
  refusedEvents: number;
  rateLimitedRequests: number;
  sceneSamplesDropped: number;
}

/** The entity of a series: its pod (and container) when the collector attributed it, else the node. */
export function entityOf(node: Entity, labels: Readonly<Record<string, string>>): Entity {
  const { namespace, pod, container } = labels;
  if (namespace === undefined || pod === undefined) return node;
  return { ...node, namespace, pod, container: container ?? null };
}

export function createDetector(overrides: Partial<DetectorOptions> = {}): Detector {
  const options: DetectorOptions = { ...defaultDetectorOptions, ...overrides };
  const rules = options.rules ?? defaultRules();
  const partners = partnerMetrics(rules);
  const baselineOptions = { windowSize: options.windowSize, minPoints: options.minPoints, threshold: options.threshold, madFloorRatio: options.madFloorRatio, madFloorAbsolute: options.madFloorAbsolute };
  const nodes = new Map<string, NodeState>();
  /** True while nothing came before this detector and its state still needs the stream from historyStart. */
  let cold: boolean | undefined;
  const counts: Counts = {
    refusedSeries: 0, nonFiniteSamples: 0, negativeCounterSamples: 0, invalidSamples: 0, duplicateSamples: 0, outOfOrderSamples: 0,
    unknownSamples: 0, events: 0, repeatedEvents: 0, refusedEvents: 0, rateLimitedRequests: 0, sceneSamplesDropped: 0,
  };
  /** Counts of nodes forgotten (their policies and scenes went with them). */
  const forgotten = { rateLimitedRequests: 0, sceneSamplesDropped: 0 };

  function forgetSeries(node: NodeState, key: string, observedAtMs: number, out: Anomaly[]): void {
    const state = node.series.get(key);
    if (!state) return;
    if (state.certain && state.lifecycle.open) out.push(resolveGone(state.lifecycle.open, state.identity, observedAtMs));
    node.series.delete(key);
  }

  /** Forgets nodes not heard from for staleAfterMs, and the current node's sources that went quiet (by its own clock). */
  function evictStale(nodeKey: string, timestampMs: number, out: Anomaly[]): void {
    const horizon = timestampMs - options.staleAfterMs;
    for (const [key, node] of nodes) {
      if (key === nodeKey || node.lastTimestampMs >= horizon) continue;
      for (const seriesKey of [...node.series.keys()]) forgetSeries(node, seriesKey, timestampMs, out);
      for (const event of node.events.values()) if (event.open) out.push(resolveGone(event.open, event.identity, Math.min(timestampMs, event.resolveAtMs)));
      forgotten.rateLimitedRequests += node.policy.rateLimited;
      forgotten.sceneSamplesDropped += node.scene.dropped;
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
    const own = state.certain ? (state.lifecycle.open ? state.openAnchor : state.certainAnchor) : state.ring.oldestPosition();
    const raw = state.previousRaw?.position;
    if (own === undefined) return raw;
    return raw === undefined ? own : Math.min(own, raw);
  }

  /** The point a sample gives its series: the value, or for a counter the rate since its previous reading. */
  function step(state: SeriesState, raw: number, timestampMs: number, position: number): { value: number; position: number } | undefined {
    if (timestampMs <= state.lastTimestampMs) {
      counts.outOfOrderSamples++;
      return undefined;
    }
    state.lastTimestampMs = timestampMs;
    if (!state.counter) return { value: raw, position };
    const change = counterStep(state.previousRaw, { value: raw, timestampMs }, options.counterMaxGapMs);
    const previousPosition = state.previousRaw?.position;
    state.previousRaw = { value: raw, timestampMs, position };
    if (change.kind !== 'rate' || previousPosition === undefined) return undefined;
    return { value: change.perSecond, position: previousPosition };
  }

  /**
   * A rate-limit decision at `decidedAt` read a request whose replay starts at `anchor`. A replay that
   * reaches decidedAt must then start at anchor, or it would decide without that request.
   */
  function dependOn(node: NodeState, anchor: number, decidedAt: number): void {
    node.dependencies.set(anchor, Math.max(node.dependencies.get(anchor) ?? decidedAt, decidedAt));
  }

  function windowSamples(state: SeriesState): SceneSample[] {
    const labels = { ...state.identity.labels, [windowLabel]: state.counter ? 'rate' : 'value' };
    return state.ring.lastPoints(options.policy.windowPoints).map(({ value, timestampMs }) => ({ name: state.identity.metric, labels, value, timestampMs }));
  }

  /** Feeds the series' engine; a ClassifiedSeries when its class changed or is due again. */
  function classify(state: SeriesState, value: number, timestampMs: number, classified: ClassifiedSeries[]): void {
    if (!state.scorer) return;
    const { seriesClass } = state.scorer.push(timestampMs, value);
    state.pointsSinceClassified++;
    if (!state.certain || state.scorer.points < options.classifyAfterPoints) return;
    if (seriesClass === state.publishedClass && state.pointsSinceClassified < options.classifiedEveryPoints) return;
    const features: Record<string, number> = {};
    for (const [name, feature] of Object.entries(state.scorer.classification().features)) if (Number.isFinite(feature)) features[name] = feature;
    // Until the engine has filled enough buckets its classifier has not run: every feature is 0.
    if (Object.values(features).every((feature) => feature === 0)) return;
    const { identity } = state;
    classified.push({
      id: deterministicId(identity.series, identity.entity.node ?? '', timestampMs),
      entity: identity.entity, metric: identity.metric, series: identity.series, labels: identity.labels,
      class: seriesClass, features, value, timestampMs,
    });
    state.publishedClass = seriesClass;
    state.pointsSinceClassified = 0;
  }

  function observe(node: NodeState, state: SeriesState, value: number, timestampMs: number, position: number, points: ReadonlyMap<string, number>, out: Anomaly[], askers: Asker[]): void {
    const { rule, identity } = state;
    const window = state.ring.lastValues(options.windowSize);
    const stats = rule.statistical ? statistics(value, window, rule, identity.labels, points, baselineOptions) : undefined;
    const threshold = rule.threshold ? readThreshold(rule.threshold, value, identity.labels, points) : undefined;
    if (threshold?.crossed) state.thresholdSinceMs ??= timestampMs;
    else state.thresholdSinceMs = undefined;
    const thresholdHeld = state.thresholdSinceMs !== undefined && timestampMs - state.thresholdSinceMs >= (rule.threshold?.forMs ?? 0);
    const verdict = judge({ value, labels: identity.labels, rule, batch: points, stats, threshold, thresholdHeld }, options);
    const fullWindow = window.length >= options.windowSize;

    if (state.certain && verdict) {
      const anchorBefore = anchorOf(state) ?? position;
      const before = state.lifecycle.open;
      const severityBefore = before?.severity;
      const record = advance(state.lifecycle, verdict, { value, timestampMs, thresholdSinceMs: state.thresholdSinceMs }, identity, rule.lifecycle, options);
      if (!before && state.lifecycle.open) state.openAnchor = Math.min(anchorBefore, node.scene.oldestPosition() ?? anchorBefore);
      if (record) {
        out.push(record);
        // Opening, and turning CRITICAL later, are what may ask for a diagnosis (see policy.ts).
        if (record.state === 'OPEN' || (record.state === 'UPDATE' && severityBefore !== 'CRITICAL' && record.severity === 'CRITICAL')) {
          askers.push({
            anomaly: record, scenario: rule.scenario, anchor: state.openAnchor, window: () => windowSamples(state),
            dependsOn: (anchor) => dependOn(node, anchor, position),
          });
        }
      }
    }
    state.quietRun = verdict && fullWindow && verdict.quiet ? state.quietRun + 1 : 0;
    state.ring.push(value, position, timestampMs);
    if (state.quietRun >= state.proofPoints && state.ring.full && !state.lifecycle.open) {
      state.certain = true;
      state.certainAnchor = state.ring.oldestPosition()!;
    }
  }

  /** A kernel event sample: one EVENT anomaly per event (series and the event's own time), never again while remembered. */
  function observeEvent(node: NodeState, sample: Sample, key: string, rule: ExpertRule, batch: MetricBatch, position: number, raw: ReadonlyMap<string, number>, out: Anomaly[], askers: Asker[]): void {
    const event = rule.event!;
    const eventSeconds = raw.get(seriesKey(`${sample.name}_timestamp_seconds`, sample.labels));
    const eventAtMs = eventSeconds !== undefined && eventSeconds > 0 ? Math.round(eventSeconds * 1000) : batch.timestampMs;
    const eventKey = `${key}@${eventSeconds !== undefined ? eventAtMs : ''}`;
    if (node.events.has(eventKey)) {
      counts.repeatedEvents++;
      return;
    }
    if (node.events.size >= options.maxEventsPerNode) {
      counts.refusedEvents++;
      return;
    }
    // An OOM kill names the victim's memory cgroup: the pod whose cgroup (or process) samples carry it.
    const memcg = sample.labels['task_memcg'] ?? sample.labels['memcg'];
    const attribution = memcg !== undefined ? node.scene.attributionOf(memcg) : undefined;
    const entity = entityOf(node.entity, attribution ?? sample.labels);
    const identity: SeriesIdentity = { entity, metric: sample.name, series: key, labels: { ...sample.labels } };
    const { open, record } = openEvent(identity, eventAtMs, eventAtMs, sample.value, event.severity, rule.name);
    const anchor = Math.min(position, node.scene.oldestPosition() ?? position);
    const resolveAtMs = eventAtMs + event.resolveAfterMs;
    const state: EventState = { identity, open, resolveAtMs, forgetAtMs: Math.max(resolveAtMs, eventAtMs + options.eventMemoryMs), anchor };
    node.events.set(eventKey, state);
    counts.events++;
    out.push(record);
    askers.push({ anomaly: record, scenario: rule.scenario, anchor, window: () => [], dependsOn: (earlier) => dependOn(node, earlier, position) });
  }

  /** Resolves the node's events whose time is up by nowMs, and forgets those past their memory. */
  function ageEvents(node: NodeState, nowMs: number, out: Anomaly[]): void {
    for (const [key, event] of node.events) {
      if (event.open && nowMs >= event.resolveAtMs) {
        out.push(resolveGone(event.open, event.identity, event.resolveAtMs));
        event.open = undefined;
      }
      if (!event.open && nowMs >= event.forgetAtMs) node.events.delete(key);
    }
  }

  function process(batch: MetricBatch, position: number): DetectorOutput {
    cold ??= position === options.historyStart;
    const anomalies: Anomaly[] = [];
    const classified: ClassifiedSeries[] = [];
    const askers: Asker[] = [];
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
        events: new Map(),
        policy: new NodePolicy(options.policy),
        dependencies: new Map(),
      };
      nodes.set(nodeKey, node);
    }
    node.lastTimestampMs = batch.timestampMs;

    // Bad input is skipped and counted; `raw` holds every valid sample by series key.
    const valid: { sample: Sample; key: string }[] = [];
    const raw = new Map<string, number>();
    for (const sample of batch.samples) {
      if (typeof sample.name !== 'string' || sample.name === '') {
        counts.invalidSamples++;
        continue;
      }
      if (!Number.isFinite(sample.value)) {
        counts.nonFiniteSamples++;
        continue;
      }
      const key = seriesKey(sample.name, sample.labels);
      if (raw.has(key)) {
        counts.duplicateSamples++;
        continue;
      }
      if (sample.value < 0 && isCounter(sample.name)) {
        counts.negativeCounterSamples++;
        continue;
      }
      raw.set(key, sample.value);
      valid.push({ sample, key });
    }
    node.scene.observe(batch, valid.map((entry) => entry.sample), position);
    ageEvents(node, batch.timestampMs, anomalies);
    node.policy.expire(batch.timestampMs);
    if (options.sceneOnlySources.includes(batch.source)) return { anomalies, requests: [], classified };

    const before = node.sources.get(batch.source);
    // Gauges by their value, counters by their rate (set below): what ratios and relative gates read.
    const points = new Map<string, number>();
    for (const { sample, key } of valid) if (!isCounter(sample.name)) points.set(key, sample.value);
    const toJudge: { state: SeriesState; value: number; position: number }[] = [];
    const tracked = new Set<string>();
    for (const { sample, key } of valid) {
      const rule = ruleFor(rules, sample.name, sample.labels);
      if (!rule) {
        counts.unknownSamples++;
        continue;
      }
      if (rule.event) {
        observeEvent(node, sample, key, rule, batch, position, raw, anomalies, askers);
        continue;
      }
      if ('pid' in sample.labels) continue;
      const counter = isCounter(sample.name);
      const judged = isTracked(rule);
      if (!judged && !(counter && partners.has(sample.name))) continue;
      let state = node.series.get(key);
      if (!state) {
        if (node.series.size >= options.maxSeriesPerNode) {
          counts.refusedSeries++;
          continue;
        }
        // Born while this detector watched the source, or nothing came before this detector (and a
        // replay would still start at historyStart; once it would not, a replayer could not know).
        // Nothing retained yet means a replay would start at this very record.
        if (!before && cold && (retainFrom() ?? position) !== options.historyStart) cold = false;
        const certainAnchor = before ? before.lastPosition : cold ? options.historyStart : undefined;
        const proofPoints = Math.max(rule.lifecycle.resolveAfter, rule.lifecycle.openWindow);
        state = {
          identity: { entity: entityOf(node.entity, sample.labels), metric: sample.name, series: key, labels: { ...sample.labels } },
          source: batch.source,
          rule,
          judged,
          counter,
          proofPoints,
          previousRaw: undefined,
          lastTimestampMs: Number.NEGATIVE_INFINITY,
          ring: new PointRing(judged ? options.windowSize + proofPoints : 1),
          scorer: judged && rule.statistical ? createSeriesScorer() : undefined,
          publishedClass: undefined,
          pointsSinceClassified: 0,
          certain: certainAnchor !== undefined,
          certainAnchor: certainAnchor ?? position,
          quietRun: 0,
          lifecycle: newLifecycle(),
          openAnchor: position,
          thresholdSinceMs: undefined,
        };
        node.series.set(key, state);
      }
      tracked.add(key);
      const point = step(state, sample.value, batch.timestampMs, position);
      if (!point) continue;
      if (state.counter) points.set(key, point.value);
      if (state.judged) toJudge.push({ state, ...point });
      else {
        // A partner only: its state is its previous reading, nothing to prove beyond it.
        state.certain = true;
        state.certainAnchor = point.position;
      }
    }
    for (const { state, value, position: pointPosition } of toJudge) {
      observe(node, state, value, batch.timestampMs, pointPosition, points, anomalies, askers);
      classify(state, value, batch.timestampMs, classified);
    }
    // A series its source no longer carries is forgotten, so "born" means the same to every detector.
    for (const key of before?.series ?? []) if (!tracked.has(key)) forgetSeries(node, key, batch.timestampMs, anomalies);
    node.sources.set(batch.source, { lastPosition: position, lastTimestampMs: batch.timestampMs, series: tracked });

    const scene = node.scene;
    const requests = askers.length > 0 ? node.policy.requests(askers, batch.timestampMs, (focus) => scene.samples(focus)) : [];
    return { anomalies, requests, classified };
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
      for (const event of node.events.values()) consider(event.anchor);
      consider(node.policy.oldestAnchor());
    }
    // A replay that reaches a rate-limit decision must rebuild the request it was decided by. Once a
    // replay would start after a decision, the decision can be forgotten.
    for (let changed = oldest !== undefined; changed; ) {
      changed = false;
      for (const node of nodes.values()) {
        for (const [anchor, decidedAt] of node.dependencies) {
          if (decidedAt < oldest!) node.dependencies.delete(anchor);
          else if (anchor < oldest!) {
            oldest = anchor;
            changed = true;
          }
        }
      }
    }
    return oldest;
  }

  function stats(): DetectorStats {
    let series = 0;
    let uncertainSeries = 0;
    let openAnomalies = 0;
    let rateLimitedRequests = forgotten.rateLimitedRequests;
    let sceneSamplesDropped = forgotten.sceneSamplesDropped;
    for (const node of nodes.values()) {
      series += node.series.size;
      for (const state of node.series.values()) {
        if (!state.certain) uncertainSeries++;
        if (state.lifecycle.open) openAnomalies++;
      }
      for (const event of node.events.values()) if (event.open) openAnomalies++;
      rateLimitedRequests += node.policy.rateLimited;
      sceneSamplesDropped += node.scene.dropped;
    }
    return { ...counts, nodes: nodes.size, series, uncertainSeries, openAnomalies, rateLimitedRequests, sceneSamplesDropped };
  }

  return { process, retainFrom, stats };
}
