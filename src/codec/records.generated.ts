// Generated from schemas/*.avsc by scripts/generate-record-types.ts (npm run generate). Do not edit.
/* eslint-disable */

/** One step in the life of an anomaly on one series (topic anomalies, key cluster/node). All steps of one anomaly share id; eventId tells the steps apart. */
export interface Anomaly {
  /** Deterministic id of this record (hash of id, state and observedAtMs): consumers drop duplicates by it. */
  eventId: string;
  /** Deterministic id of the anomaly, the same on OPEN, UPDATE and RESOLVED: a hash of the series key and openedAtMs. */
  id: string;
  /** The entity whose series is anomalous. */
  entity: Entity;
  /** Metric name of the series. */
  metric: string;
  /** Series key: metric name plus sorted labels. */
  series: string;
  /** Labels of the series. */
  labels: Record<string, string>;
  /** Shape of the anomaly. */
  kind: AnomalyKind;
  /** OPEN on the first anomalous point, UPDATE while it goes on and gets worse, RESOLVED when the series is back in its band. */
  state: AnomalyState;
  /** Severity at this step. */
  severity: Severity;
  /** Strength of the anomaly, >= 1 when anomalous (e.g. robust z-score divided by its threshold). */
  score: number;
  /** Observed value at observedAtMs. */
  value: number;
  /** Lower edge of the expected band at observedAtMs. */
  expectedLow: number;
  /** Upper edge of the expected band at observedAtMs. */
  expectedHigh: number;
  /** Models and expert rules that voted for this anomaly, e.g. robust-zscore, expert:memory-available. */
  models: string[];
  /** Time of the first anomalous point. */
  openedAtMs: number;
  /** Time of the point this step is about. */
  observedAtMs: number;
  /** Time the anomaly resolved; null unless state is RESOLVED. */
  resolvedAtMs: null | number;
}

/** What a record is about: a cluster, a node, or a pod / container on a node. */
export interface Entity {
  /** Cluster name. */
  cluster: string;
  /** Node name; null for a cluster-wide entity. */
  node: null | string;
  /** Kubernetes namespace of the pod, when the entity is a pod or container. */
  namespace: null | string;
  /** Pod name, when the entity is a pod or container. */
  pod: null | string;
  /** Container name, when the entity is a container. */
  container: null | string;
}

/** What the series did. */
export type AnomalyKind = 'SPIKE' | 'DIP' | 'LEVEL_SHIFT' | 'TREND' | 'HIGH_WATERMARK' | 'THRESHOLD' | 'FLUCTUATION' | 'EVENT';
export const anomalyKindSymbols = ['SPIKE', 'DIP', 'LEVEL_SHIFT', 'TREND', 'HIGH_WATERMARK', 'THRESHOLD', 'FLUCTUATION', 'EVENT'] as const;

/** Lifecycle step. */
export type AnomalyState = 'OPEN' | 'UPDATE' | 'RESOLVED';
export const anomalyStateSymbols = ['OPEN', 'UPDATE', 'RESOLVED'] as const;

/** How urgent a finding is. */
export type Severity = 'INFO' | 'WARNING' | 'CRITICAL';
export const severitySymbols = ['INFO', 'WARNING', 'CRITICAL'] as const;

/** A record that could not be decoded or processed, kept whole with the reason (topic <topic>.dlq, key = the original key). */
export interface DeadLetter {
  /** Topic the record was read from. */
  topic: string;
  /** Partition it was read from. */
  partition: number;
  /** Offset it was read at (a decimal string, as Kafka offsets exceed 2^53). */
  offset: string;
  /** Original key bytes. */
  key: null | Buffer;
  /** Original value bytes, untouched. */
  value: null | Buffer;
  /** Original headers. */
  headers: Record<string, string>;
  /** Stable error code, e.g. VIGIL_DECODE, VIGIL_HANDLER. */
  errorCode: string;
  /** The error message: why the record was set aside. */
  error: string;
  /** How many times processing was tried. */
  attempts: number;
  /** Service and consumer group that set it aside. */
  service: string;
  /** When it was set aside (wall clock). */
  timestampMs: number;
}

/** A detector group's state of one metrics.raw partition, a chunk of it, or a claim on it (topic detector.state, compacted). A snapshot at offset O is the whole state after applying every record before O, written after their outputs were acknowledged, as CHUNK records (key <group>/<partition>/<slot>/<index>, each under the configured byte limit) followed, once every chunk is acknowledged, by one SNAPSHOT record naming them (key <group>/<partition>). Consecutive snapshots alternate between two slots, so the chunks of the latest SNAPSHOT are never overwritten before a newer one is complete. The owner commits metrics.raw no further than its latest acknowledged snapshot, and whoever owns the partition next restores it and applies records from O on. */
export interface DetectorState {
  /** Consumer group of the detector (VIGIL_DETECTOR_GROUP): groups with different rule files keep separate states. */
  group: string;
  /** Partition of metrics.raw the state belongs to. */
  partition: number;
  /** What the record is. */
  kind: DetectorStateKind;
  /** SNAPSHOT and CHUNK: the metrics.raw offset the state continues from (the next record to apply). CLAIM: -1. */
  offset: number;
  /** CLAIM: a unique id of the claim; otherwise empty. */
  claim: string;
  /** Encoding of state, e.g. v8-deflate/1 (Node's structured-clone serialisation, deflated); a reader that does not know it starts fresh. */
  format: string;
  /** CHUNK: its part of the encoded state (the parts in index order are the whole); SNAPSHOT with chunks 0: the whole encoded state; otherwise empty. */
  state: Buffer;
  /** SNAPSHOT and CHUNK: a unique id of one written state; a SNAPSHOT is restored only from chunks of its own generation. */
  generation: string;
  /** SNAPSHOT and CHUNK: which of the partition's two chunk slots (a or b) the state's chunks are written under. */
  slot: string;
  /** CHUNK: its index, from 0. */
  chunk: number;
  /** SNAPSHOT: how many chunks the state has (0: the state is inline, as written by version 1). */
  chunks: number;
  /** When the record was written, milliseconds since the Unix epoch. */
  producedAtMs: number;
}

/** SNAPSHOT names a complete state (its chunks, or inline state when chunks is 0); CHUNK carries a part of a state; CLAIM marks where a new owner started reading, so it knows it has read every earlier snapshot of the partition. */
export type DetectorStateKind = 'SNAPSHOT' | 'CLAIM' | 'CHUNK';
export const detectorStateKindSymbols = ['SNAPSHOT', 'CLAIM', 'CHUNK'] as const;

/** The root cause of a diagnosis request, the evidence for it and what to do (topic diagnosis.reports, key cluster/node). */
export interface DiagnosisReport {
  /** Deterministic id: a hash of the request id and the root-cause code. */
  id: string;
  /** Id of the diagnosis request this answers. */
  requestId: string;
  /** Ids of the anomalies behind the request. */
  anomalyIds: string[];
  /** The entity diagnosed (the culprit's pod when it is known, else the node). */
  entity: Entity;
  /** Scenario of the request. */
  scenario: Scenario;
  /** The root cause found. */
  rootCause: RootCause;
  /** Facts with values, strongest first. */
  evidence: Fact[];
  /** Repair suggestions, most useful first. */
  suggestions: Suggestion[];
  /** Confidence in the root cause, 0..1. */
  confidence: number;
  /** Severity of the finding. */
  severity: Severity;
  /** Kubernetes context used (pod, owner, limits, container status); empty when none was available. */
  kubernetes: Record<string, string>;
  /** Time of the request's anomalous point (reports are deterministic, so no wall clock). */
  createdAtMs: number;
  /** The other findings that applied, strongest first (the root cause is the strongest and is not repeated here). */
  findings: RankedFinding[];
  /** What the rules wanted and the scene or the cluster did not have, e.g. "no cgroup samples for the pod", "Kubernetes: no cluster configured". */
  missingEvidence: string[];
}

/** Family of problem a diagnosis is asked about; picks the rules that run. */
export type Scenario = 'MEMORY' | 'OOM' | 'LOAD' | 'CPU_THROTTLE' | 'IO' | 'NETWORK' | 'SCHED' | 'DISK' | 'OTHER' | 'PIDS';
export const scenarioSymbols = ['MEMORY', 'OOM', 'LOAD', 'CPU_THROTTLE', 'IO', 'NETWORK', 'SCHED', 'DISK', 'OTHER', 'PIDS'] as const;

/** What went wrong. */
export interface RootCause {
  /** Stable code of the cause, e.g. MEMORY_LEAK_PROCESS, CPU_LIMIT_TOO_LOW, UNKNOWN. */
  code: string;
  /** One line a person reads first, naming the culprit. */
  summary: string;
}

/** One fact the cause rests on. */
export interface Fact {
  /** What was measured, e.g. rss growth rate. */
  name: string;
  /** The measured value. */
  value: number;
  /** Unit of value, e.g. bytes, bytes/s, ratio; empty when dimensionless. */
  unit: string;
  /** Context such as the pid and command the fact is about. */
  detail: null | string;
}

/** One concrete repair step. */
export interface Suggestion {
  /** What to do, in one sentence. */
  action: string;
  /** A command that does or checks it, when there is one. */
  command: null | string;
  /** The setting to change and its new value, when there is one. */
  setting: null | string;
}

/** Another cause the rules found, besides the root cause. */
export interface RankedFinding {
  /** Stable code of the cause, as rootCause.code. */
  code: string;
  /** One line naming the culprit. */
  summary: string;
  /** Confidence in this cause, 0..1. */
  confidence: number;
  /** Severity of this finding. */
  severity: Severity;
}

/** A request to diagnose a scenario on an entity, with the scene collected when the anomaly opened (topic diagnosis.requests, key cluster/node). */
export interface DiagnosisRequest {
  /** Deterministic id: a hash of the anomaly ids and the scenario. */
  id: string;
  /** Ids of the anomalies that asked for this diagnosis. */
  anomalyIds: string[];
  /** The entity to diagnose. */
  entity: Entity;
  /** The scenario; picks the rules. */
  scenario: Scenario;
  /** Metric of the anomaly that triggered the request. */
  metric: string;
  /** Time of the anomalous point that triggered the request. */
  requestedAtMs: number;
  /** The node's latest samples around the anomaly: process tables (process_rss_bytes{pid,comm}, ...), memory, pressure, vmstat; several snapshots so rates can be computed. */
  scene: SceneSample[];
}

/** One sample of the scene with its own time. */
export interface SceneSample {
  /** Metric name. */
  name: string;
  /** Labels of the series. */
  labels: Record<string, string>;
  /** Value. */
  value: number;
  /** When it was read. */
  timestampMs: number;
}

/** The health score of one entity after a change (topic health.updates, key = the entity, so the topic can be compacted). */
export interface HealthUpdate {
  /** Deterministic id: a hash of the entity, timestampMs and score. */
  id: string;
  /** The entity scored. */
  entity: Entity;
  /** Level of the entity. */
  level: HealthLevel;
  /** Health score 0..100, 100 = nothing wrong. */
  score: number;
  /** Grade: HEALTHY >= 90, WARNING >= 60, else CRITICAL; UNKNOWN when nothing is known of the entity (it expired). SUBHEALTHY and UNHEALTHY are no longer written (kept so older records decode). */
  grade: HealthGrade;
  /** Items that cost points, largest deduction first. */
  items: HealthItem[];
  /** Event time of the change that produced this score. */
  timestampMs: number;
  /** One line saying why, e.g. "prod/node-a 62 (WARNING): -20 memory: CRITICAL anomaly ...; -18 children: 2 pods critical"; empty in records written before it existed. */
  explanation: string;
}

/** Level of the entity in the hierarchy. */
export type HealthLevel = 'CLUSTER' | 'NODE' | 'POD';
export const healthLevelSymbols = ['CLUSTER', 'NODE', 'POD'] as const;

/** Bucket of the score. */
export type HealthGrade = 'HEALTHY' | 'SUBHEALTHY' | 'UNHEALTHY' | 'CRITICAL' | 'WARNING' | 'UNKNOWN';
export const healthGradeSymbols = ['HEALTHY', 'SUBHEALTHY', 'UNHEALTHY', 'CRITICAL', 'WARNING', 'UNKNOWN'] as const;

/** One inspection item that cost points. */
export interface HealthItem {
  /** What cost points, e.g. ANOMALY_OPEN, DIAGNOSIS_REPORT. */
  code: string;
  /** Human-readable reason. */
  description: string;
  /** Points deducted. */
  deduction: number;
  /** Id of the anomaly or report behind the item. */
  sourceId: string;
}

/** One scrape of one source on one node (topic metrics.raw, key cluster/node). Process tables and sysctls travel as samples too, so the scene of an anomaly is on the bus. */
export interface MetricBatch {
  /** Deterministic id of this batch: a hash of cluster, node, source and timestampMs. */
  id: string;
  /** Cluster the node belongs to (VIGIL_CLUSTER). */
  cluster: string;
  /** Node (host) name the samples were read on (VIGIL_NODE). */
  node: string;
  /** What was read, e.g. proc.meminfo, proc.stat, proc.vmstat, proc.pressure, proc.processes. */
  source: string;
  /** When the scrape happened, milliseconds since the Unix epoch. */
  timestampMs: number;
  /** The values read in this scrape. */
  samples: Sample[];
}

/** One value of one series. */
export interface Sample {
  /** Metric name in Prometheus style with the unit in the name, e.g. node_memory_MemAvailable_bytes, process_rss_bytes. */
  name: string;
  /** Labels that tell series of one metric apart, e.g. {pid, comm} for a process. */
  labels: Record<string, string>;
  /** The value; counters are raw (monotonic) values, rates are computed downstream. */
  value: number;
}

/** What the notifier did with one message for one receiver: sent, suppressed or failed (topic notifications, key = dedupKey). */
export interface Notification {
  /** Deterministic id: a hash of dedupKey, channel and receiver. */
  id: string;
  /** Key that makes two notifications the same message, e.g. report:<report id>. */
  dedupKey: string;
  /** Channel used: stdout, email, slack, dingtalk, feishu, wecom, teams, webhook. */
  channel: string;
  /** Receiver on the channel: an address, a webhook name, or stdout. */
  receiver: string;
  /** What happened. */
  status: NotificationStatus;
  /** Subject or first line of the message. */
  subject: string;
  /** Ids of the reports or health updates the message is about. */
  sourceIds: string[];
  /** Delivery attempts made. */
  attempts: number;
  /** Last error when status is FAILED, reason when SUPPRESSED. */
  error: null | string;
  /** Event time of the source record. */
  timestampMs: number;
}

/** Outcome. */
export type NotificationStatus = 'SENT' | 'SUPPRESSED' | 'FAILED';
export const notificationStatusSymbols = ['SENT', 'SUPPRESSED', 'FAILED'] as const;

/** The notifier's durable outbox and notification log (topic notifier.outbox, key = group key, so one instance owns a group): ALERT = an alert accepted into an aggregation group; DONE = a channel of the group's receiver was told (or failed for good) about these firing / resolved alerts; BARRIER = a marker an instance writes to a partition it was given, to learn when it has replayed it. The owner of a partition commits it only up to the first record of a group still alive or still being delivered, so after a crash the next owner replays and sends what was not DONE. */
export interface OutboxEntry {
  /** What the entry is. */
  kind: OutboxEntryKind;
  /** Aggregation group key (a hash of route id and group labels), the record key. */
  groupKey: string;
  /** Route of the group (ALERT). */
  routeId: string;
  /** Receiver of the group. */
  receiver: string;
  /** Alert labels (ALERT). */
  labels: Record<string, string>;
  /** When the alert started firing (ALERT). */
  startsAtMs: number;
  /** When the alert resolves; null while firing without an end (ALERT). */
  resolvedAtMs: null | number;
  /** Id of the report, anomaly or health entity the alert comes from (ALERT). */
  sourceId: string;
  /** The source record as JSON, {"type":"report"|"health"|"anomaly","record":{...}}, to render the message (ALERT). */
  source: string;
  /** Index of the channel in the receiver (DONE). */
  channelIndex: number;
  /** Fingerprints of the firing alerts told (DONE). */
  firing: string[];
  /** Fingerprints of the resolved alerts told (DONE). */
  resolved: string[];
  /** Time of the flush that was told (DONE). */
  sentAtMs: number;
  /** Who wrote the marker (BARRIER). */
  nonce: string;
}

/** What the entry is. */
export type OutboxEntryKind = 'ALERT' | 'DONE' | 'BARRIER';
export const outboxEntryKindSymbols = ['ALERT', 'DONE', 'BARRIER'] as const;

/** A silence of the notifier as last created or expired (topic notifier.silences, key = silence id, so the topic can be compacted). Every notifier instance reads the topic from the beginning, so all see the same silences. A record with `sync` set is not a silence: an instance writes it to learn it has read a partition up to there. */
export interface SilenceRecord {
  /** Silence id (a hash of its content and creation time). */
  id: string;
  /** Label matchers: name=value, name!=value, name=~regex, name!~regex. */
  matchers: string[];
  /** Start of the silence. */
  startsAtMs: number;
  /** End of the silence; an expired silence has endsAtMs = the time it was expired. */
  endsAtMs: number;
  /** Author. */
  createdBy: string;
  /** Why. */
  comment: string;
  /** When this version was written; the newest version of an id wins. */
  updatedAtMs: number;
  /** Set only on a read-up-to marker: the nonce of the instance that wrote it. */
  sync: null | string;
}

/** The class of one series over its sliding window and the features behind it (topic series.classified, key cluster/node). */
export interface ClassifiedSeries {
  /** Deterministic id: a hash of the series key and timestampMs. */
  id: string;
  /** The entity the series belongs to. */
  entity: Entity;
  /** Metric name of the series. */
  metric: string;
  /** Stable series key: metric name plus sorted labels, e.g. process_rss_bytes{comm="java",pid="42"}. */
  series: string;
  /** Labels of the series. */
  labels: Record<string, string>;
  /** The class chosen for the current window. */
  class: SeriesClass;
  /** Features the class was chosen from, e.g. cv, slope, acf_period, fill_ratio. */
  features: Record<string, number>;
  /** Latest value of the series (after counter-to-rate conversion). */
  value: number;
  /** Time of the latest value, milliseconds since the Unix epoch. */
  timestampMs: number;
}

/** Shape of a series over its window. */
export type SeriesClass = 'STABLE' | 'TRENDING' | 'PERIODIC' | 'FLUCTUATING' | 'HIGH_WATERMARK' | 'SPARSE';
export const seriesClassSymbols = ['STABLE', 'TRENDING', 'PERIODIC', 'FLUCTUATING', 'HIGH_WATERMARK', 'SPARSE'] as const;
