/**
 * The health model: anomaly steps and diagnosis reports in, health updates of pods, nodes and
 * clusters out. Pure: no I/O, no clock — its time is the latest event time it has seen (the
 * watermark), so reports, stale anomalies and quiet entities expire when later events arrive.
 *
 * API (what scorer.service.ts and the HTTP API call)
 *   const model = createHealthModel({ catalogue: loadInspectionCatalogue(path), ...options });
 *   model.restore(latestUpdates(readBack), openAnomalies(anomalySteps)) → HealthUpdate[]
 *       once at start, before consuming: rebuilds scores from the latest published update per
 *       entity and the open anomalies; returns the corrections to publish (entities whose rebuilt
 *       score differs from what was last published), often none.
 *   model.onAnomaly(anomaly) → HealthUpdate[]   model.onReport(report) → HealthUpdate[]
 *       updates in order pod → node → cluster; publish them keyed by entityKey(update.entity).
 *   model.current(level?) → HealthUpdate[]            the state of every entity, by level then key
 *   model.worst(level | undefined, limit) → HealthUpdate[]   lowest scores first
 *   model.history(entity) → { timestampMs, score, grade }[] | undefined   oldest first
 *   model.stats() → counts for /metrics
 *
 * Scores (documented with examples in services/scorer/README.md)
 *   level:    POD when the entity has namespace and pod (a container counts as its pod), NODE when
 *             it has a node, else CLUSTER. Pods roll up into their node, nodes into their cluster.
 *   own:      Σ over the entity's open anomalies of points.anomaly[severity] × item weight, plus Σ
 *             over its reports of the last reportWindowMs of points.report[severity] × item weight
 *             × confidence (the catalogue says which inspection item a record falls under).
 *   children: the hierarchical bucket principle — only how many children sit in each grade counts:
 *             Σ over g ∈ {CRITICAL, WARNING} of maxPoints_g × (1 − (1 − step_g)^count_g).
 *             Each further child in a bucket takes `step` of what is left of that bucket's maximum:
 *             with the defaults (CRITICAL 60 / 0.3, WARNING 30 / 0.1) one critical child costs 18
 *             (its parent is at most 82, WARNING: one critical child always shows), two 30.6, five
 *             49.9; one warning child 3, five 12.3, ten 19.5 — many warnings weigh more than one.
 *             It does not divide by the number of children: the model only knows the children it
 *             has heard of, and 1 critical pod of 30 is as real as 1 of 3.
 *   score:    max(0, 100 − own − children), rounded to 0.01: the deductions of the explanation add
 *             up to 100 − score (until the floor).
 *   grade:    HEALTHY ≥ 90, WARNING ≥ 60, CRITICAL below; UNKNOWN once an entity expired.
 */
import type { Anomaly, DiagnosisReport, Entity, HealthGrade, HealthItem, HealthLevel, HealthUpdate } from '../../../src/codec/records.generated.js';
import { deterministicId } from '../../../src/codec/ids.js';
import { entityKey } from '../../../src/runtime/keys.js';
import { defaultInspectionCatalogue, type InspectionCatalogue } from './inspection-catalogue.js';

export interface ChildBucket {
  /** The most all children of this grade together can cost. */
  maxPoints: number;
  /** Share of what is left of maxPoints each further child of this grade costs (0..1]. */
  step: number;
}

export interface HealthModelOptions {
  /** Inspection items and severity points; the shipped default-inspection.yaml when absent. */
  catalogue?: InspectionCatalogue;
  /** How long a report keeps costing points, in event time (default 10 min). */
  reportWindowMs?: number;
  /** An open anomaly with no step for this long is stale and stops costing points (default 1 h). */
  anomalyTtlMs?: number;
  /** An entity with nothing open, no children and no event for this long expires (default 30 min). */
  expireAfterMs?: number;
  /** Bucket deductions by child grade (defaults: CRITICAL 60 / 0.3, WARNING 30 / 0.1). */
  childBuckets?: Partial<Record<'CRITICAL' | 'WARNING', ChildBucket>>;
  /** Score history kept per entity: at most this many points (default 120) … */
  historyPoints?: number;
  /** … and none older than this before the watermark (default 24 h). */
  historyMs?: number;
  /** Entities tracked; beyond it a new pod is charged to its node, a new node to its cluster (default 1,000,000). */
  maxEntities?: number;
  /** Open anomalies and live reports kept per entity; the oldest is forgotten beyond it (default 256). */
  maxChargesPerEntity?: number;
  /** Resolved anomaly ids remembered, so a redelivered OPEN of a resolved anomaly does not reopen it (default 100,000). */
  maxResolvedAnomalies?: number;
  /** Items listed in the one-line explanation (all items stay in `items`; default 5). */
  maxExplainedItems?: number;
}

export interface HealthHistoryPoint {
  timestampMs: number;
  score: number;
  grade: HealthGrade;
}

export interface HealthModelStats {
  entities: Record<HealthLevel, number>;
  openAnomalies: number;
  liveReports: number;
  pendingTimers: number;
}

export interface HealthModel {
  onAnomaly(anomaly: Anomaly): HealthUpdate[];
  onReport(report: DiagnosisReport): HealthUpdate[];
  /** Rebuilds the state after a restart; returns corrections (see the API at the top). Call before any event. */
  restore(latest: readonly HealthUpdate[], openAnomalies: readonly Anomaly[]): HealthUpdate[];
  current(level?: HealthLevel): HealthUpdate[];
  worst(level: HealthLevel | undefined, limit: number): HealthUpdate[];
  history(entity: Entity): HealthHistoryPoint[] | undefined;
  stats(): HealthModelStats;
}

export function gradeOf(score: number): HealthGrade {
  if (score >= 90) return 'HEALTHY';
  if (score >= 60) return 'WARNING';
  return 'CRITICAL';
}

/** The level an anomaly or report entity is scored at. */
export function levelOf(entity: Entity): HealthLevel {
  if (entity.namespace !== null && entity.pod !== null) return 'POD';
  return entity.node !== null ? 'NODE' : 'CLUSTER';
}

/** The latest step of every anomaly that is not resolved: what `restore` needs from the anomalies topic. */
export function openAnomalies(steps: Iterable<Anomaly>): Anomaly[] {
  const latest = new Map<string, Anomaly>();
  for (const step of steps) {
    const known = latest.get(step.id);
    if (!known || step.observedAtMs >= known.observedAtMs) latest.set(step.id, step);
  }
  return [...latest.values()].filter((step) => step.state !== 'RESOLVED');
}

/** The latest update of every entity: what a compacted health.updates holds. */
export function latestUpdates(updates: Iterable<HealthUpdate>): HealthUpdate[] {
  const latest = new Map<string, HealthUpdate>();
  for (const update of updates) {
    const key = entityKey(update.entity);
    const known = latest.get(key);
    if (!known || update.timestampMs >= known.timestampMs) latest.set(key, update);
  }
  return [...latest.values()];
}

type ChargeCode = 'ANOMALY_OPEN' | 'DIAGNOSIS_REPORT';

interface Charge {
  code: ChargeCode;
  description: string;
  deduction: number;
  sourceId: string;
  /** Event time of the step that set it (anomaly observedAtMs, report createdAtMs). */
  atMs: number;
}

interface State {
  key: string;
  entity: Entity;
  level: HealthLevel;
  parent: State | undefined;
  /** Open anomalies (key `a:<id>`) and live reports (`r:<id>`); absent when none. */
  charges: Map<string, Charge> | undefined;
  childCount: number;
  warningChildren: Set<State> | undefined;
  criticalChildren: Set<State> | undefined;
  score: number;
  grade: HealthGrade;
  /** Event time of the last change of score or explanation. */
  changedAtMs: number;
  lastSeenMs: number;
  expired: boolean;
  /** Ring of (timeMs, score) pairs, flat; `historyHead` is the oldest pair once the ring is full. */
  history: number[] | undefined;
  historyHead: number;
}

interface Timer {
  dueMs: number;
  state: State;
  /** A report to expire; absent: check whether the entity expires. */
  chargeKey?: string;
}

const levelOrder: Record<HealthLevel, number> = { CLUSTER: 0, NODE: 1, POD: 2 };
const round2 = (value: number) => Math.round(value * 100) / 100;
const compact = (value: number) => String(Number(value.toPrecision(4)));

function byDeduction(a: HealthItem, b: HealthItem): number {
  return b.deduction - a.deduction || a.sourceId.localeCompare(b.sourceId);
}

/** A binary min-heap of timers by due time. */
class TimerHeap {
  private readonly timers: Timer[] = [];
  get size(): number {
    return this.timers.length;
  }
  peek(): Timer | undefined {
    return this.timers[0];
  }
  push(timer: Timer): void {
    const timers = this.timers;
    let i = timers.push(timer) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (timers[parent]!.dueMs <= timer.dueMs) break;
      timers[i] = timers[parent]!;
      i = parent;
    }
    timers[i] = timer;
  }
  pop(): Timer | undefined {
    const timers = this.timers;
    const top = timers[0];
    const last = timers.pop();
    if (timers.length === 0 || !last) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= timers.length) break;
      const right = left + 1;
      const child = right < timers.length && timers[right]!.dueMs < timers[left]!.dueMs ? right : left;
      if (timers[child]!.dueMs >= last.dueMs) break;
      timers[i] = timers[child]!;
      i = child;
    }
    timers[i] = last;
    return top;
  }
}

export function createHealthModel(options: HealthModelOptions = {}): HealthModel {
  const catalogue = options.catalogue ?? defaultInspectionCatalogue();
  const reportWindowMs = options.reportWindowMs ?? 10 * 60_000;
  const anomalyTtlMs = options.anomalyTtlMs ?? 60 * 60_000;
  const expireAfterMs = options.expireAfterMs ?? 30 * 60_000;
  const critical = options.childBuckets?.CRITICAL ?? { maxPoints: 60, step: 0.3 };
  const warning = options.childBuckets?.WARNING ?? { maxPoints: 30, step: 0.1 };
  const historyPoints = Math.max(1, options.historyPoints ?? 120);
  const historyMs = options.historyMs ?? 24 * 60 * 60_000;
  const maxEntities = options.maxEntities ?? 1_000_000;
  const maxChargesPerEntity = options.maxChargesPerEntity ?? 256;
  const maxResolvedAnomalies = options.maxResolvedAnomalies ?? 100_000;
  const maxExplainedItems = options.maxExplainedItems ?? 5;

  const states = new Map<string, State>();
  const counts: Record<HealthLevel, number> = { CLUSTER: 0, NODE: 0, POD: 0 };
  const resolvedAnomalies = new Set<string>();
  const timers = new TimerHeap();
  let openAnomalyCount = 0;
  let liveReportCount = 0;
  let watermarkMs = -Infinity;

  // --- entities -----------------------------------------------------------------------------

  function newState(entity: Entity, level: HealthLevel, parent: State | undefined): State {
    const state: State = {
      key: entityKey(entity), entity, level, parent, charges: undefined, childCount: 0, warningChildren: undefined, criticalChildren: undefined,
      score: 100, grade: 'HEALTHY', changedAtMs: watermarkMs, lastSeenMs: watermarkMs, expired: false, history: undefined, historyHead: 0,
    };
    states.set(state.key, state);
    counts[level]++;
    if (parent) parent.childCount++;
    timers.push({ dueMs: watermarkMs + expireAfterMs, state });
    return state;
  }

  function getOrCreate(entity: Entity, level: HealthLevel, parent: State | undefined, atMs: number): State | undefined {
    const key = entityKey(entity);
    let state = states.get(key);
    if (!state) {
      if (states.size >= maxEntities && level !== 'CLUSTER') return undefined;
      state = newState(entity, level, parent);
    }
    if (atMs > state.lastSeenMs) state.lastSeenMs = atMs;
    return state;
  }

  /** The state a record about `entity` charges, with its ancestors; every one of them is seen at `atMs`. */
  function stateFor(entity: Entity, atMs: number): State {
    const cluster = getOrCreate({ cluster: entity.cluster, node: null, namespace: null, pod: null, container: null }, 'CLUSTER', undefined, atMs)!;
    let node: State | undefined;
    if (entity.node !== null) node = getOrCreate({ cluster: entity.cluster, node: entity.node, namespace: null, pod: null, container: null }, 'NODE', cluster, atMs);
    if (levelOf(entity) !== 'POD') return node ?? cluster;
    const pod = getOrCreate({ cluster: entity.cluster, node: node ? entity.node : null, namespace: entity.namespace, pod: entity.pod, container: null }, 'POD', node ?? cluster, atMs);
    return pod ?? node ?? cluster;
  }

  function label(state: State): string {
    const { entity } = state;
    if (state.level === 'POD') return `${entity.namespace}/${entity.pod}`;
    return state.level === 'NODE' ? entity.node! : entity.cluster;
  }

  // --- scoring ------------------------------------------------------------------------------

  const bucketCost = (bucket: ChildBucket, count: number) => (count === 0 ? 0 : bucket.maxPoints * (1 - Math.pow(1 - bucket.step, count)));

  function ownDeduction(state: State): number {
    let sum = 0;
    if (state.charges) for (const charge of state.charges.values()) sum += charge.deduction;
    return sum;
  }

  function childDeductions(state: State): { critical: number; warning: number } {
    return { critical: bucketCost(critical, state.criticalChildren?.size ?? 0), warning: bucketCost(warning, state.warningChildren?.size ?? 0) };
  }

  function computeScore(state: State): void {
    const children = childDeductions(state);
    state.score = Math.max(0, round2(100 - ownDeduction(state) - children.critical - children.warning));
    state.grade = gradeOf(state.score);
  }

  function bucketOf(parent: State, grade: HealthGrade, create: boolean): Set<State> | undefined {
    if (grade === 'CRITICAL') return create ? (parent.criticalChildren ??= new Set()) : parent.criticalChildren;
    if (grade === 'WARNING') return create ? (parent.warningChildren ??= new Set()) : parent.warningChildren;
    return undefined;
  }

  function moveBucket(parent: State, child: State, from: HealthGrade, to: HealthGrade | undefined): void {
    bucketOf(parent, from, false)?.delete(child);
    if (to !== undefined) bucketOf(parent, to, true)?.add(child);
  }

  function pushHistory(state: State): void {
    const ring = (state.history ??= []);
    if (ring.length < 2 * historyPoints) {
      ring.push(state.changedAtMs, state.score);
      return;
    }
    ring[state.historyHead] = state.changedAtMs;
    ring[state.historyHead + 1] = state.score;
    state.historyHead = (state.historyHead + 2) % ring.length;
  }

  /**
   * Rescores `state` after its inputs changed and walks up while grades move (a parent's children
   * deduction depends only on how many children sit in each grade). Emits pod → node → cluster.
   */
  function settle(state: State, inputsChanged: boolean, updates: HealthUpdate[]): void {
    let current: State | undefined = state;
    let changed = inputsChanged;
    while (current) {
      const before = { score: current.score, grade: current.grade };
      computeScore(current);
      if (current.score === before.score && !changed) return;
      current.changedAtMs = watermarkMs;
      if (current.score !== before.score) pushHistory(current);
      updates.push(snapshot(current));
      if (current.grade === before.grade || !current.parent) return;
      moveBucket(current.parent, current, before.grade, current.grade);
      current = current.parent;
      changed = true;
    }
  }

  function bucketItem(state: State, grade: 'CRITICAL' | 'WARNING', deduction: number): HealthItem | undefined {
    const children = grade === 'CRITICAL' ? state.criticalChildren : state.warningChildren;
    if (!children || children.size === 0) return undefined;
    const names: string[] = [];
    let sourceId = '';
    for (const child of children) {
      if (names.length === 0) sourceId = child.key;
      names.push(`${label(child)} ${compact(child.score)}`);
      if (names.length === 3) break;
    }
    const noun = state.level === 'NODE' ? 'pods' : 'nodes';
    const more = children.size > names.length ? `, … ${children.size - names.length} more` : '';
    return {
      code: grade === 'CRITICAL' ? 'CHILDREN_CRITICAL' : 'CHILDREN_WARNING',
      description: `children: ${children.size} of ${state.childCount} ${noun} ${grade.toLowerCase()} (${names.join(', ')}${more})`,
      deduction: round2(deduction),
      sourceId,
    };
  }

  function itemsOf(state: State): HealthItem[] {
    const items: HealthItem[] = [];
    if (state.charges) for (const { code, description, deduction, sourceId } of state.charges.values()) items.push({ code, description, deduction, sourceId });
    const children = childDeductions(state);
    const criticalItem = bucketItem(state, 'CRITICAL', children.critical);
    const warningItem = bucketItem(state, 'WARNING', children.warning);
    if (criticalItem) items.push(criticalItem);
    if (warningItem) items.push(warningItem);
    return items.sort(byDeduction);
  }

  function explain(key: string, score: number, grade: HealthGrade, items: readonly HealthItem[]): string {
    const head = `${key} ${compact(score)} (${grade})`;
    if (items.length === 0) return `${head}: nothing open`;
    const shown = items.slice(0, maxExplainedItems).map((item) => `−${compact(item.deduction)} ${item.description}`);
    const more = items.length > shown.length ? `; … ${items.length - shown.length} more` : '';
    return `${head}: ${shown.join('; ')}${more}`;
  }

  function snapshot(state: State): HealthUpdate {
    const items = itemsOf(state);
    const timestampMs = state.changedAtMs;
    return {
      id: deterministicId(state.key, timestampMs, state.score, state.grade),
      entity: state.entity, level: state.level, score: state.score, grade: state.grade, items, timestampMs,
      explanation: explain(state.key, state.score, state.grade, items),
    };
  }

  // --- charges ------------------------------------------------------------------------------

  function setCharge(state: State, chargeKey: string, charge: Charge): void {
    const charges = (state.charges ??= new Map());
    if (!charges.has(chargeKey)) {
      if (charge.code === 'ANOMALY_OPEN') openAnomalyCount++;
      else liveReportCount++;
    }
    charges.set(chargeKey, charge);
    while (charges.size > maxChargesPerEntity) {
      let oldestKey: string | undefined;
      let oldestMs = Infinity;
      for (const [key, candidate] of charges) {
        if (candidate.atMs < oldestMs) {
          oldestMs = candidate.atMs;
          oldestKey = key;
        }
      }
      deleteCharge(state, oldestKey!);
    }
  }

  function deleteCharge(state: State, chargeKey: string): boolean {
    const charge = state.charges?.get(chargeKey);
    if (!charge) return false;
    state.charges!.delete(chargeKey);
    if (state.charges!.size === 0) state.charges = undefined;
    if (charge.code === 'ANOMALY_OPEN') openAnomalyCount--;
    else liveReportCount--;
    return true;
  }

  function anomalyCharge(state: State, anomaly: Anomaly): Charge {
    const item = catalogue.itemForAnomaly(state.level, anomaly);
    const where = state.level === 'POD' ? ` in pod ${label(state)}` : '';
    return {
      code: 'ANOMALY_OPEN',
      description: `${item.name}: ${anomaly.severity} ${anomaly.kind} anomaly on ${anomaly.series}${where} (${compact(anomaly.value)} outside ${compact(anomaly.expectedLow)}..${compact(anomaly.expectedHigh)})`,
      deduction: round2(catalogue.points.anomaly[anomaly.severity] * item.weight),
      sourceId: anomaly.id,
      atMs: anomaly.observedAtMs,
    };
  }

  function reportCharge(state: State, report: DiagnosisReport): Charge {
    const item = catalogue.itemForReport(state.level, report);
    const confidence = Math.min(1, Math.max(0, report.confidence));
    return {
      code: 'DIAGNOSIS_REPORT',
      description: `${item.name}: ${report.severity} ${report.rootCause.code}: ${report.rootCause.summary} (confidence ${confidence.toFixed(2)})`,
      deduction: round2(catalogue.points.report[report.severity] * item.weight * confidence),
      sourceId: report.id,
      atMs: report.createdAtMs,
    };
  }

  function rememberResolved(id: string): void {
    resolvedAnomalies.delete(id);
    resolvedAnomalies.add(id);
    if (resolvedAnomalies.size > maxResolvedAnomalies) {
      const [oldest] = resolvedAnomalies;
      resolvedAnomalies.delete(oldest!);
    }
  }

  // --- time ---------------------------------------------------------------------------------

  function expire(state: State, updates: HealthUpdate[]): void {
    state.expired = true;
    states.delete(state.key);
    counts[state.level]--;
    updates.push({
      id: deterministicId(state.key, watermarkMs, 100, 'UNKNOWN'),
      entity: state.entity, level: state.level, score: 100, grade: 'UNKNOWN', items: [], timestampMs: watermarkMs,
      explanation: `${state.key} expired (UNKNOWN): nothing heard of it for ${compact(expireAfterMs / 60_000)} min`,
    });
    const parent = state.parent;
    if (!parent || parent.expired) return;
    parent.childCount--;
    if (state.grade === 'CRITICAL' || state.grade === 'WARNING') {
      moveBucket(parent, state, state.grade, undefined);
      settle(parent, true, updates);
    }
  }

  /** An entity's check: expire it when quiet and empty; drop its stale anomalies; else look again later. */
  function checkEntity(state: State, updates: HealthUpdate[]): void {
    if (state.lastSeenMs + expireAfterMs > watermarkMs) {
      timers.push({ dueMs: state.lastSeenMs + expireAfterMs, state });
      return;
    }
    let nextStaleMs = Infinity;
    if (state.charges) {
      let dropped = false;
      for (const [key, charge] of state.charges) {
        if (charge.code !== 'ANOMALY_OPEN') continue;
        if (charge.atMs + anomalyTtlMs <= watermarkMs) dropped = deleteCharge(state, key) || dropped;
        else nextStaleMs = Math.min(nextStaleMs, charge.atMs + anomalyTtlMs);
      }
      if (dropped) settle(state, true, updates);
    }
    if (!state.charges && state.childCount === 0) {
      expire(state, updates);
      return;
    }
    timers.push({ dueMs: Math.min(nextStaleMs, watermarkMs + expireAfterMs), state });
  }

  function runTimers(updates: HealthUpdate[]): void {
    for (let timer = timers.peek(); timer && timer.dueMs <= watermarkMs; timer = timers.peek()) {
      timers.pop();
      const { state, chargeKey } = timer;
      if (state.expired) continue;
      if (chargeKey === undefined) {
        checkEntity(state, updates);
        continue;
      }
      const charge = state.charges?.get(chargeKey);
      if (charge && charge.atMs + reportWindowMs <= watermarkMs) {
        deleteCharge(state, chargeKey);
        settle(state, true, updates);
      }
    }
  }

  function advance(eventMs: number): void {
    if (eventMs > watermarkMs) watermarkMs = eventMs;
  }

  // --- events -------------------------------------------------------------------------------

  /** Applies an anomaly step; the entity whose charges changed, if any. */
  function applyAnomaly(anomaly: Anomaly): State | undefined {
    if (resolvedAnomalies.has(anomaly.id)) return undefined;
    if (anomaly.state !== 'RESOLVED' && anomaly.observedAtMs + anomalyTtlMs <= watermarkMs) return undefined;
    const state = stateFor(anomaly.entity, anomaly.observedAtMs);
    const chargeKey = `a:${anomaly.id}`;
    const current = state.charges?.get(chargeKey);
    if (current && current.atMs > anomaly.observedAtMs) return undefined;
    if (anomaly.state === 'RESOLVED') {
      rememberResolved(anomaly.id);
      return deleteCharge(state, chargeKey) ? state : undefined;
    }
    const charge = anomalyCharge(state, anomaly);
    setCharge(state, chargeKey, charge);
    // A step that only refreshes an anomaly (same deduction) is no news.
    return current && current.deduction === charge.deduction ? undefined : state;
  }

  function applyReport(report: DiagnosisReport): State | undefined {
    if (report.createdAtMs + reportWindowMs <= watermarkMs) return undefined;
    const state = stateFor(report.entity, report.createdAtMs);
    const chargeKey = `r:${report.id}`;
    if (state.charges?.has(chargeKey)) return undefined;
    setCharge(state, chargeKey, reportCharge(state, report));
    timers.push({ dueMs: report.createdAtMs + reportWindowMs, state, chargeKey });
    return state;
  }

  function onEvent(eventMs: number, change: () => State | undefined): HealthUpdate[] {
    advance(eventMs);
    const updates: HealthUpdate[] = [];
    const changed = change();
    if (changed) settle(changed, true, updates);
    runTimers(updates);
    return updates;
  }

  // --- restore ------------------------------------------------------------------------------

  function restore(latest: readonly HealthUpdate[], open: readonly Anomaly[]): HealthUpdate[] {
    for (const update of latest) advance(update.timestampMs);
    for (const anomaly of open) advance(anomaly.observedAtMs);
    const published = new Map<State, HealthUpdate>();
    for (const update of latest) {
      if (update.grade === 'UNKNOWN' || (update.score === 100 && update.timestampMs + expireAfterMs <= watermarkMs)) continue;
      const state = stateFor(update.entity, update.timestampMs);
      if (state.key !== entityKey(update.entity)) continue;
      published.set(state, update);
      state.changedAtMs = update.timestampMs;
      state.score = update.score;
      pushHistory(state);
      for (const item of update.items) {
        if (item.code !== 'DIAGNOSIS_REPORT' || update.timestampMs + reportWindowMs <= watermarkMs) continue;
        // The report's own time is not in the update; the update's time is at most a little later.
        const chargeKey = `r:${item.sourceId}`;
        setCharge(state, chargeKey, { code: 'DIAGNOSIS_REPORT', description: item.description, deduction: item.deduction, sourceId: item.sourceId, atMs: update.timestampMs });
        timers.push({ dueMs: update.timestampMs + reportWindowMs, state, chargeKey });
      }
    }
    for (const anomaly of open) applyAnomaly(anomaly);
    // Bottom-up: a parent's children deduction needs its children's grades.
    const ordered = [...states.values()].sort((a, b) => levelOrder[b.level] - levelOrder[a.level]);
    for (const state of ordered) {
      computeScore(state);
      if (state.parent && (state.grade === 'CRITICAL' || state.grade === 'WARNING')) bucketOf(state.parent, state.grade, true)!.add(state);
    }
    const corrections: HealthUpdate[] = [];
    for (const state of ordered) {
      const before = published.get(state);
      if (before ? before.score === state.score && before.grade === state.grade : state.score === 100) continue;
      state.changedAtMs = watermarkMs;
      pushHistory(state);
      corrections.push(snapshot(state));
    }
    return corrections;
  }

  // --- queries ------------------------------------------------------------------------------

  function selected(level: HealthLevel | undefined): State[] {
    const out: State[] = [];
    for (const state of states.values()) if (level === undefined || state.level === level) out.push(state);
    return out;
  }

  return {
    onAnomaly: (anomaly) => onEvent(anomaly.observedAtMs, () => applyAnomaly(anomaly)),
    onReport: (report) => onEvent(report.createdAtMs, () => applyReport(report)),
    restore,

    current(level) {
      return selected(level)
        .sort((a, b) => levelOrder[a.level] - levelOrder[b.level] || a.key.localeCompare(b.key))
        .map(snapshot);
    },

    worst(level, limit) {
      return selected(level)
        .sort((a, b) => a.score - b.score || levelOrder[a.level] - levelOrder[b.level] || a.key.localeCompare(b.key))
        .slice(0, Math.max(0, limit))
        .map(snapshot);
    },

    history(entity) {
      const state = states.get(entityKey(entity));
      if (!state) return undefined;
      const ring = state.history ?? [];
      const points: HealthHistoryPoint[] = [];
      for (let i = 0; i < ring.length; i += 2) {
        const at = (state.historyHead + i) % ring.length;
        const timestampMs = ring[at]!;
        if (timestampMs + historyMs <= watermarkMs) continue;
        const score = ring[at + 1]!;
        points.push({ timestampMs, score, grade: gradeOf(score) });
      }
      return points;
    },

    stats() {
      return { entities: { ...counts }, openAnomalies: openAnomalyCount, liveReports: liveReportCount, pendingTimers: timers.size };
    },
  };
}
