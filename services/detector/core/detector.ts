/**
 * The detector's pure core for one partition of metrics.raw: batches in, anomalies and diagnosis
 * requests out. Series matched by an expert rule (rule file, ../rules/default-rules.yaml) are
 * tracked: counters become rates; each point of a statistically judged series is scored by the
 * detection engine (../engine: classifier and the models its class calls for, fused into one
 * score), which together with the rule (its gates, its trend model, its threshold on the value or
 * its ratio to a partner series of the same batch) gives the point's verdict (judge.ts); anomalies
 * live OPEN → UPDATE → RESOLVED (lifecycle.ts). Kernel event samples open EVENT anomalies directly.
 * Anomalies whose rule names a scenario ask for a diagnosis (policy.ts) with the node's scene
 * (scene.ts). Process tables are scene, not series. A series carrying pod labels (namespace, pod,
 * container) is the pod's. Bad input (non-finite values, negative counters, duplicate series in a
 * batch, timestamps not after the series' last, metrics no rule knows) is skipped and counted in
 * stats().
 *
 * The whole state is a value: snapshot() encodes it and restoreDetector() continues from it exactly,
 * so a detector that takes a partition over from a snapshot taken before position O and applies the
 * batches from O on emits what its predecessor would have (see detector-state.ts and the service).
 */
import type { Anomaly, ClassifiedSeries, DiagnosisRequest, Entity, MetricBatch, Sample, SceneSample } from '../../../src/codec/records.generated.js';
import { deterministicId } from '../../../src/codec/ids.js';
import { defaultRules } from '../rules/rule-file.js';
import { counterStep, isCounter } from './counter-rate.js';
import { isTracked, partnerMetrics, readThreshold, ruleResolver, type ExpertRule } from './expert-rules.js';
import { EnginePool, type SavedEnginePool } from '../engine/engine-pool.js';
import type { SeriesClass } from '../engine/series-scorer.js';
import { fineCapacity } from '../engine/state-layout.js';
import { defaultEngineJudgeOptions, judge, statistics, type EngineHold, type EngineJudgeOptions } from './judge.js';
import { advance, openEvent, resolveGone, type LifecycleState, type OpenAnomaly, type SeriesIdentity } from './lifecycle.js';
import { defaultPolicyOptions, NodePolicy, windowLabel, type Asker, type PolicyOptions, type SavedPolicy } from './policy.js';
import { PointRings, type SavedPointRings } from './point-rings.js';
import { defaultSceneOptions, NodeScene, type SavedScene, type SceneOptions } from './scene.js';
import { seriesKey } from './series-key.js';
import { SharedCopies } from './shared-copies.js';
import { decodeDetectorState, encodeDetectorState } from './detector-state.js';

export interface DetectorOptions {
  /** Points of a series' window kept for diagnosis requests and the rules' trend models (at least). */
  windowSize: number;
  /** Points a series' engine must have seen before its class is published. */
  classifyAfterPoints: number;
  /** A series' class is published again after this many points even when it did not change. */
  classifiedEveryPoints: number;
  /** How the engine's fused score becomes a verdict: its alarm level, how long the band before an alarm is held. */
  engine: EngineJudgeOptions;
  /** Statistical score (times the expected band's half-width) from which an anomaly is CRITICAL (unless its rule sets a severity). */
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
  /**
   * Prefixes of sources whose batches may carry only part of a scrape (Prometheus remote_write
   * sends one scrape in several requests): a series missing from one of their batches is kept
   * until it has had no sample for staleAfterMs, instead of being forgotten at once.
   */
  partialSources: readonly string[];
  scene: SceneOptions;
  /** The expert rules, first match wins; the shipped default-rules.yaml when absent. */
  rules?: readonly ExpertRule[];
  policy: PolicyOptions;
}

export const defaultDetectorOptions: DetectorOptions = {
  windowSize: 30,
  classifyAfterPoints: 64,
  classifiedEveryPoints: 720,
  engine: defaultEngineJudgeOptions,
  criticalScore: 3,
  updateEvery: 10,
  updateScoreGrowth: 0.5,
  counterMaxGapMs: 5 * 60_000,
  staleAfterMs: 15 * 60_000,
  maxSeriesPerNode: 4096,
  maxEventsPerNode: 1024,
  eventMemoryMs: 15 * 60_000,
  sceneOnlySources: ['proc.processes'],
  partialSources: ['remote_write.'],
  scene: defaultSceneOptions,
  policy: defaultPolicyOptions,
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
  /** Applies one batch; `position` orders batches (the record's offset) and breaks ties in the scene. */
  process(batch: MetricBatch, position: number): DetectorOutput;
  /** The whole state, encoded: restoreDetector(snapshot(), same options) continues exactly from here. */
  snapshot(): Buffer;
  stats(): DetectorStats;
}

/** A series' state: its identity and its lifecycle are fields of it (not objects of their own: ~100 bytes less per series). */
interface SeriesState extends SeriesIdentity, LifecycleState {
  source: string;
  rule: ExpertRule;
  /** Judged (statistics or threshold); false for a counter kept only as another rule's partner. */
  judged: boolean;
  counter: boolean;
  /**
   * Its ring among the node's point rings of its kind: its latest points (rates for counters: a
   * request's window, the rule's trend model; times only when its engine keeps the values; none for
   * a series not judged) and its SeriesNumber numbers.
   */
  ring: number;
  /** The detection engine of a statistically judged series (its number in the detector's pool; -1: none): scores each point and classifies the series. */
  engine: number;
  /** The band held since an alarm; undefined while nothing is held. */
  hold: EngineHold | undefined;
  publishedClass: SeriesClass | undefined;
  pointsSinceClassified: number;
  /** The node's batch count when its source last carried it: a series its source stops carrying is forgotten. */
  seenAt: number;
}

/** The numbers a series keeps in its ring (NaN: none yet). */
const SeriesNumber = {
  lastTimestampMs: 0,
  /** A counter's previous reading. */
  previousValue: 1,
  previousTimestampMs: 2,
  /** When the rule's threshold was first crossed in the current run of crossed points. */
  thresholdSinceMs: 3,
} as const;

interface EventState {
  identity: SeriesIdentity;
  open: OpenAnomaly | undefined;
  resolveAtMs: number;
  forgetAtMs: number;
}

interface SourceState {
  lastTimestampMs: number;
}

interface NodeState {
  entity: Entity;
  lastTimestampMs: number;
  /** Batches processed (what a series' seenAt counts). */
  batches: number;
  series: Map<string, SeriesState>;
  /** One entity per pod container its series carry, shared by them (by labels key). Derived, not saved. */
  entities: SharedCopies<Entity>;
  sources: Map<string, SourceState>;
  scene: NodeScene;
  events: Map<string, EventState>;
  policy: NodePolicy;
  /** The series' point rings, by kind (ringKind). Saved with each series. */
  rings: Map<number, PointRings>;
}

type Counts = Omit<DetectorStats, 'nodes' | 'series' | 'openAnomalies'>;

/** A series' state as plain data: the rule by name, its ring's number and kind (the node's rings and the engine pool are saved whole). */
type SavedSeries = Omit<SeriesState, 'rule'> & { rule: string; ringCapacity: number; ringValues: boolean };

/** The detector's state as plain data (what detector-state.ts encodes). */
export interface SavedDetector {
  nodes: [string, Omit<NodeState, 'series' | 'entities' | 'scene' | 'policy' | 'rings'> & { series: [string, SavedSeries][]; scene: SavedScene; policy: SavedPolicy; rings: SavedPointRings[] }][];
  engines: SavedEnginePool;
  counts: Counts;
  forgotten: { rateLimitedRequests: number; sceneSamplesDropped: number };
}

const noLabels: Record<string, string> = Object.freeze({});
const noPoints: readonly number[] = Object.freeze([]);

/** The canonical text of a series' labels: its key after the metric name. */
function labelsKeyOf(series: { metric: string; series: string }): string {
  return series.series.slice(series.metric.length);
}

/** The same string, flat (a joined string keeps its parts) and interned (equal keys share one copy). */
function flatString(text: string): string {
  return Object.keys({ [text]: 0 })[0]!;
}

/**
 * A saved series' state, field by field in the order newSeries lists them: every series object then
 * has one shape with all its fields in the object (a spread would put some in a separate property array).
 */
function restoredSeries(saved: Omit<SavedSeries, 'ringCapacity' | 'ringValues'>, rule: ExpertRule, ring: number): SeriesState {
  return {
    entity: saved.entity,
    metric: saved.metric,
    series: saved.series,
    labels: saved.labels,
    source: saved.source,
    rule,
    judged: saved.judged,
    counter: saved.counter,
    ring,
    engine: saved.engine,
    hold: saved.hold,
    publishedClass: saved.publishedClass,
    pointsSinceClassified: saved.pointsSinceClassified,
    open: saved.open,
    pending: saved.pending,
    seenAt: saved.seenAt,
  };
}

/** The key of a node's point rings of one capacity, with or without values. */
function ringKind(capacity: number, withValues: boolean): number {
  return 2 * capacity + (withValues ? 1 : 0);
}

/** Points from their times and the values of the same points (aligned at the newest; a value missing there is NaN). */
function pointsOf(times: readonly number[], values: readonly number[]): { value: number; timestampMs: number }[] {
  const skip = values.length - times.length;
  return times.map((timestampMs, i) => ({ value: values[skip + i] ?? Number.NaN, timestampMs }));
}

/** The entity of a series: its pod (and container) when the collector attributed it, else the node. */
export function entityOf(node: Entity, labels: Readonly<Record<string, string>>): Entity {
  const { namespace, pod, container } = labels;
  if (namespace === undefined || pod === undefined) return node;
  return { ...node, namespace, pod, container: container ?? null };
}

export function createDetector(overrides: Partial<DetectorOptions> = {}, saved?: SavedDetector): Detector {
  const options: DetectorOptions = { ...defaultDetectorOptions, ...overrides };
  const rules = options.rules ?? defaultRules();
  const rulesByName = new Map(rules.map((rule) => [rule.name, rule]));
  const partners = partnerMetrics(rules);
  const nodes = new Map<string, NodeState>();
  /** One frozen copy of each distinct label set of the live series, shared by them (by labels key). */
  const labelSets = new SharedCopies<Readonly<Record<string, string>>>();
  function holdLabels(labelsKey: string, labels: Readonly<Record<string, string>>): Record<string, string> {
    for (const _ in labels) return labelSets.hold(labelsKey, () => Object.freeze({ ...labels }));
    return noLabels;
  }
  /** The entity of a series, shared with the other series of its pod container on the node. */
  function holdEntity(node: Pick<NodeState, 'entity' | 'entities'>, labelsKey: string, entity: Entity): Entity {
    return entity.pod === null ? node.entity : node.entities.hold(labelsKey, () => entity);
  }
  function releaseShared(node: NodeState, state: SeriesState): void {
    const labelsKey = labelsKeyOf(state);
    labelSets.release(labelsKey);
    if (state.entity.pod !== null) node.entities.release(labelsKey);
  }
  /** The rule of a sample without series state (a tracked series knows its own), with the matching done once per metric name. */
  const ruleOf = ruleResolver(rules);
  /** The engines of every statistically judged series, all nodes together (fewer partly used blocks than one pool per node). */
  const engines = saved ? EnginePool.restoreAll(saved.engines) : new EnginePool();
  const counts: Counts = {
    refusedSeries: 0, nonFiniteSamples: 0, negativeCounterSamples: 0, invalidSamples: 0, duplicateSamples: 0, outOfOrderSamples: 0,
    unknownSamples: 0, events: 0, repeatedEvents: 0, refusedEvents: 0, rateLimitedRequests: 0, sceneSamplesDropped: 0,
  };
  /** Counts of nodes forgotten (their policies and scenes went with them). */
  const forgotten = { rateLimitedRequests: 0, sceneSamplesDropped: 0 };

  const ringCapacity = (rule: ExpertRule): number => Math.max(options.windowSize, options.policy.windowPoints, (rule.trend?.points ?? 0) + 1);
  /**
   * Whether a series' ring keeps its values: not when its engine keeps as many latest values (the
   * engine's fine ring, Float32), which then fill the window and the rule's trend model.
   */
  const ringKeepsValues = (capacity: number, engine: number): boolean => !(engine >= 0 && capacity <= fineCapacity);
  /** A series' ring capacity: none for a series not judged (its ring keeps only its numbers). */
  const seriesRingCapacity = (state: { rule: ExpertRule; judged: boolean }): number => (state.judged ? ringCapacity(state.rule) : 0);
  /** The node's point rings of one capacity, with or without values. */
  function ringsOf(node: Pick<NodeState, 'rings'>, capacity: number, withValues: boolean): PointRings {
    const kind = ringKind(capacity, withValues);
    let rings = node.rings.get(kind);
    if (!rings) {
      rings = new PointRings(capacity, withValues);
      node.rings.set(kind, rings);
    }
    return rings;
  }
  /** The node's point rings a series' ring is in. */
  function ringsOfSeries(node: Pick<NodeState, 'rings'>, state: { rule: ExpertRule; engine: number; judged: boolean }): PointRings {
    const capacity = seriesRingCapacity(state);
    return ringsOf(node, capacity, ringKeepsValues(capacity, state.engine));
  }

  if (saved) {
    Object.assign(counts, saved.counts);
    Object.assign(forgotten, saved.forgotten);
    for (const [key, node] of saved.nodes) {
      const series = new Map<string, SeriesState>();
      const shared = { entity: node.entity, entities: new SharedCopies<Entity>() };
      const rings = { rings: new Map(node.rings.map((saved) => [ringKind(saved.capacity, saved.withValues), PointRings.restoreAll(saved)])) };
      for (const [seriesKey, { ringCapacity: savedCapacity, ringValues: savedValues, ...state }] of node.series) {
        const savedRings = ringsOf(rings, savedCapacity, savedValues);
        // A rule renamed or removed since the snapshot: the series starts again under its new rule.
        const rule = rulesByName.get(state.rule);
        if (!rule) {
          savedRings.release(state.ring);
          if (state.engine >= 0) engines.release(state.engine);
          continue;
        }
        let ring = state.ring;
        // A rule whose series now need rings of another kind: the ring moves (values from the engine when it had none).
        const target = ringsOfSeries(rings, { rule, engine: state.engine, judged: state.judged });
        if (target !== savedRings) {
          const moved = savedRings.save(state.ring);
          if (!savedValues) {
            const values = engines.lastValues(state.engine, moved.values.length);
            moved.values.set(values, moved.values.length - values.length);
          }
          ring = target.restore(moved);
          savedRings.release(state.ring);
        }
        const labelsKey = labelsKeyOf(state);
        const labels = holdLabels(labelsKey, state.labels);
        const entity = holdEntity(shared, labelsKey, state.entity);
        series.set(seriesKey, restoredSeries({ ...state, labels, entity }, rule, ring));
      }
      nodes.set(key, { ...node, series, entities: shared.entities, scene: NodeScene.restore(options.scene, node.scene), policy: NodePolicy.restore(options.policy, node.policy), rings: rings.rings });
    }
  }

  function forgetSeries(node: NodeState, key: string, observedAtMs: number, out: Anomaly[]): void {
    const state = node.series.get(key);
    if (!state) return;
    if (state.open) out.push(resolveGone(state.open, state, observedAtMs));
    ringsOfSeries(node, state).release(state.ring);
    if (state.engine >= 0) engines.release(state.engine);
    releaseShared(node, state);
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
      for (const [key, state] of node.series) if (state.source === source) forgetSeries(node, key, timestampMs, out);
      node.sources.delete(source);
    }
  }

  /** The point a sample gives its series: the value, or for a counter the rate since its previous reading. */
  function step(state: SeriesState, rings: PointRings, raw: number, timestampMs: number): number | undefined {
    const { ring } = state;
    if (timestampMs <= rings.numberOf(ring, SeriesNumber.lastTimestampMs)) {
      counts.outOfOrderSamples++;
      return undefined;
    }
    rings.setNumber(ring, SeriesNumber.lastTimestampMs, timestampMs);
    if (!state.counter) return raw;
    const previousTimestampMs = rings.numberOf(ring, SeriesNumber.previousTimestampMs);
    const previous = previousTimestampMs === previousTimestampMs ? { value: rings.numberOf(ring, SeriesNumber.previousValue), timestampMs: previousTimestampMs } : undefined;
    const change = counterStep(previous, { value: raw, timestampMs }, options.counterMaxGapMs);
    rings.setNumber(ring, SeriesNumber.previousValue, raw);
    rings.setNumber(ring, SeriesNumber.previousTimestampMs, timestampMs);
    return change.kind === 'rate' ? change.perSecond : undefined;
  }

  /** The series' window for a diagnosis request: its latest points, the newest being `newest` (the value just judged). */
  function windowSamples(node: NodeState, state: SeriesState, newest: number): SceneSample[] {
    const labels = { ...state.labels, [windowLabel]: state.counter ? 'rate' : 'value' };
    const rings = ringsOfSeries(node, state);
    const count = options.policy.windowPoints;
    const points = rings.withValues ? rings.lastPoints(state.ring, count) : pointsOf(rings.lastTimes(state.ring, count), engines.lastValues(state.engine, count));
    // The engine keeps values at Float32 precision: the newest point is the exact value that was judged.
    if (points.length > 0) points[points.length - 1]!.value = newest;
    return points.map(({ value, timestampMs }) => ({ name: state.metric, labels, value, timestampMs }));
  }

  /** A ClassifiedSeries when the series' class changed or is due again. */
  function classify(state: SeriesState, value: number, timestampMs: number, seriesClass: SeriesClass, classified: ClassifiedSeries[]): void {
    state.pointsSinceClassified++;
    if (engines.points(state.engine) < options.classifyAfterPoints) return;
    if (seriesClass === state.publishedClass && state.pointsSinceClassified < options.classifiedEveryPoints) return;
    const features: Record<string, number> = {};
    for (const [name, feature] of Object.entries(engines.classification(state.engine).features)) if (Number.isFinite(feature)) features[name] = feature;
    // Until the engine has filled enough buckets its classifier has not run: every feature is 0.
    if (Object.values(features).every((feature) => feature === 0)) return;
    const identity: SeriesIdentity = state;
    classified.push({
      id: deterministicId(identity.series, identity.entity.node ?? '', timestampMs),
      entity: identity.entity, metric: identity.metric, series: identity.series, labels: identity.labels,
      class: seriesClass, features, value, timestampMs,
    });
    state.publishedClass = seriesClass;
    state.pointsSinceClassified = 0;
  }

  function observe(node: NodeState, state: SeriesState, rings: PointRings, value: number, timestampMs: number, points: ReadonlyMap<string, number>, out: Anomaly[], classified: ClassifiedSeries[], askers: Asker[]): void {
    const { rule } = state;
    const identity: SeriesIdentity = state;
    let stats;
    if (state.engine >= 0) {
      const engine = engines.push(state.engine, timestampMs, value);
      // The points before this one (the engine has just taken it in) for the rule's trend model, if it has one.
      const trendPoints = rule.trend?.points ?? 0;
      const recent = trendPoints === 0 ? noPoints : rings.withValues ? rings.lastValues(state.ring, trendPoints) : engines.lastValues(state.engine, trendPoints + 1).slice(0, -1);
      stats = statistics(value, engine, state, recent, rule, identity.labels, points, options.engine);
      classify(state, value, timestampMs, engine.seriesClass, classified);
    }
    const threshold = rule.threshold ? readThreshold(rule.threshold, value, identity.labels, points) : undefined;
    let thresholdSinceMs: number | undefined = rings.numberOf(state.ring, SeriesNumber.thresholdSinceMs);
    if (!threshold?.crossed) thresholdSinceMs = undefined;
    else if (thresholdSinceMs !== thresholdSinceMs) thresholdSinceMs = timestampMs;
    rings.setNumber(state.ring, SeriesNumber.thresholdSinceMs, thresholdSinceMs ?? Number.NaN);
    const thresholdHeld = thresholdSinceMs !== undefined && timestampMs - thresholdSinceMs >= (rule.threshold?.forMs ?? 0);
    const verdict = judge({ value, labels: identity.labels, rule, batch: points, stats, threshold, thresholdHeld }, options);
    rings.push(state.ring, value, timestampMs);
    if (!verdict) return;
    const severityBefore = state.open?.severity;
    const record = advance(state, verdict, { value, timestampMs, thresholdSinceMs }, identity, rule.lifecycle, options);
    if (!record) return;
    out.push(record);
    // Opening, and turning CRITICAL later, are what may ask for a diagnosis (see policy.ts).
    if (record.state === 'OPEN' || (record.state === 'UPDATE' && severityBefore !== 'CRITICAL' && record.severity === 'CRITICAL')) {
      askers.push({ anomaly: record, scenario: rule.scenario, window: () => windowSamples(node, state, value) });
    }
  }

  /** A kernel event sample: one EVENT anomaly per event (series and the event's own time), never again while remembered. */
  function observeEvent(node: NodeState, sample: Sample, key: string, rule: ExpertRule, batch: MetricBatch, raw: ReadonlyMap<string, number>, out: Anomaly[], askers: Asker[]): void {
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
    const resolveAtMs = eventAtMs + event.resolveAfterMs;
    node.events.set(eventKey, { identity, open, resolveAtMs, forgetAtMs: Math.max(resolveAtMs, eventAtMs + options.eventMemoryMs) });
    counts.events++;
    out.push(record);
    askers.push({ anomaly: record, scenario: rule.scenario, window: () => [] });
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

  function newSeries(node: NodeState, sample: Sample, key: string, source: string, rule: ExpertRule, judged: boolean, counter: boolean, points: ReadonlyMap<string, number>): SeriesState {
    // The engine forecasts time to exhaustion against a real limit: the partner an `above` threshold is a share of.
    const limit = rule.threshold?.above !== undefined && rule.threshold.ratioTo !== undefined ? points.get(seriesKey(rule.threshold.ratioTo, sample.labels)) : undefined;
    const engine = judged && rule.statistical ? engines.allocate(limit !== undefined ? { limit } : {}) : -1;
    const labelsKey = key.slice(sample.name.length);
    return {
      entity: holdEntity(node, labelsKey, entityOf(node.entity, sample.labels)),
      metric: sample.name,
      series: key,
      labels: holdLabels(labelsKey, sample.labels),
      source,
      rule,
      judged,
      counter,
      ring: ringsOfSeries(node, { rule, engine, judged }).allocate(),
      engine,
      hold: undefined,
      publishedClass: undefined,
      pointsSinceClassified: 0,
      open: undefined,
      pending: undefined,
      seenAt: 0,
    };
  }

  function process(batch: MetricBatch, position: number): DetectorOutput {
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
        batches: 0,
        series: new Map(),
        entities: new SharedCopies(),
        sources: new Map(),
        scene: new NodeScene(options.scene),
        events: new Map(),
        policy: new NodePolicy(options.policy),
        rings: new Map(),
      };
      nodes.set(nodeKey, node);
    }
    node.lastTimestampMs = batch.timestampMs;
    const seenAt = ++node.batches;

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

    // Gauges by their value, counters by their rate (set below): what ratios and relative gates read.
    const points = new Map<string, number>();
    for (const { sample, key } of valid) if (!isCounter(sample.name)) points.set(key, sample.value);
    const toJudge: { state: SeriesState; rings: PointRings; value: number }[] = [];
    for (const entry of valid) {
      const { sample } = entry;
      let { key } = entry;
      let state = node.series.get(key);
      const rule = state?.rule ?? ruleOf(sample.name, sample.labels);
      if (!rule) {
        counts.unknownSamples++;
        continue;
      }
      if (rule.event) {
        observeEvent(node, sample, key, rule, batch, raw, anomalies, askers);
        continue;
      }
      if ('pid' in sample.labels) continue;
      const counter = isCounter(sample.name);
      const judged = isTracked(rule);
      if (!judged && !(counter && partners.has(sample.name))) continue;
      if (!state) {
        if (node.series.size >= options.maxSeriesPerNode) {
          counts.refusedSeries++;
          continue;
        }
        // Keys kept by a series' state are flat and shared: a joined string keeps its parts too.
        key = flatString(key);
        state = newSeries(node, sample, key, batch.source, rule, judged, counter, points);
        node.series.set(key, state);
      }
      state.seenAt = seenAt;
      const rings = ringsOfSeries(node, state);
      const point = step(state, rings, sample.value, batch.timestampMs);
      if (point === undefined) continue;
      if (state.counter) points.set(key, point);
      if (state.judged) toJudge.push({ state, rings, value: point });
    }
    for (const { state, rings, value } of toJudge) observe(node, state, rings, value, batch.timestampMs, points, anomalies, classified, askers);
    // A series its source no longer carries is forgotten (and what it had open resolved); from a
    // source that sends scrapes in parts, once it has had no sample for staleAfterMs.
    const partial = options.partialSources.some((prefix) => batch.source.startsWith(prefix));
    const horizon = batch.timestampMs - options.staleAfterMs;
    for (const [key, state] of node.series) {
      if (state.source !== batch.source || state.seenAt === seenAt) continue;
      if (!partial || !(ringsOfSeries(node, state).numberOf(state.ring, SeriesNumber.lastTimestampMs) >= horizon)) forgetSeries(node, key, batch.timestampMs, anomalies);
    }
    node.sources.set(batch.source, { lastTimestampMs: batch.timestampMs });

    const scene = node.scene;
    const requests = askers.length > 0 ? node.policy.requests(askers, batch.timestampMs, (focus) => scene.samples(focus)) : [];
    return { anomalies, requests, classified };
  }

  function save(): SavedDetector {
    return {
      nodes: [...nodes].map(([key, { rings, entities: _derived, ...node }]) => [key, {
        ...node,
        series: [...node.series].map(([seriesKey, state]): [string, SavedSeries] => {
          const { capacity, withValues } = ringsOfSeries({ rings }, state);
          return [seriesKey, { ...state, rule: state.rule.name, ringCapacity: capacity, ringValues: withValues }];
        }),
        rings: [...rings.values()].map((pointRings) => pointRings.saveAll()),
        scene: node.scene.save(),
        policy: node.policy.save(),
      }]),
      engines: engines.saveAll(),
      counts: { ...counts },
      forgotten: { ...forgotten },
    };
  }

  function stats(): DetectorStats {
    let series = 0;
    let openAnomalies = 0;
    let rateLimitedRequests = forgotten.rateLimitedRequests;
    let sceneSamplesDropped = forgotten.sceneSamplesDropped;
    for (const node of nodes.values()) {
      series += node.series.size;
      for (const state of node.series.values()) if (state.open) openAnomalies++;
      for (const event of node.events.values()) if (event.open) openAnomalies++;
      rateLimitedRequests += node.policy.rateLimited;
      sceneSamplesDropped += node.scene.dropped;
    }
    return { ...counts, nodes: nodes.size, series, openAnomalies, rateLimitedRequests, sceneSamplesDropped };
  }

  return { process, snapshot: () => encodeDetectorState(save()), stats };
}

/** A detector that continues exactly from a snapshot() taken with the same rules and options. */
export function restoreDetector(snapshot: Buffer, overrides: Partial<DetectorOptions> = {}): Detector {
  return createDetector(overrides, decodeDetectorState(snapshot));
}
