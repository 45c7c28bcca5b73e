import { describe, expect, it } from 'vitest';
import { codecFor, deadLetterCodec, type TopicRecords } from './codecs.js';
import { realisticMetricBatch } from './metric-batch.fixtures.js';
import { topics, type Topic } from './schemas.js';
import { VigilError } from '../errors.js';
import type { DeadLetter, Entity } from './records.generated.js';

const node: Entity = { cluster: 'prod-eu-west-1', node: 'worker-3', namespace: null, pod: null, container: null };
const pod: Entity = { cluster: 'prod-eu-west-1', node: 'worker-3', namespace: 'payments', pod: 'ledger-7d9f8-x2k4q', container: 'ledger' };

/** One realistic record per topic, as a service would produce it. */
const records: { [T in Topic]: TopicRecords[T] } = {
  'metrics.raw': realisticMetricBatch(1),
  'series.classified': {
    id: '5b0c0e7a1d2f4e6a8b9c0d1e2f3a4b5c', entity: node, metric: 'node_memory_MemAvailable_bytes',
    series: 'node_memory_MemAvailable_bytes{}', labels: {}, class: 'TRENDING',
    features: { cv: 0.12, slope: -1843.5, acf_period: 0, fill_ratio: 1 }, value: 1_288_490_188.8, timestampMs: 1_764_000_015_000,
  },
  anomalies: {
    eventId: 'e1', id: 'a1', entity: pod, metric: 'process_rss_bytes', series: 'process_rss_bytes{comm="java",pid="4242"}',
    labels: { pid: '4242', comm: 'java' }, kind: 'TREND', state: 'RESOLVED', severity: 'CRITICAL', score: 3.7,
    value: 6.2e9, expectedLow: 1.1e9, expectedHigh: 2.4e9, models: ['robust-zscore', 'expert:memory-available'],
    openedAtMs: 1_764_000_000_000, observedAtMs: 1_764_000_600_000, resolvedAtMs: 1_764_000_900_000,
  },
  'diagnosis.requests': {
    id: 'r1', anomalyIds: ['a1', 'a2'], entity: node, scenario: 'MEMORY', metric: 'node_memory_MemAvailable_bytes',
    requestedAtMs: 1_764_000_600_000,
    scene: [
      { name: 'process_rss_bytes', labels: { pid: '4242', comm: 'java' }, value: 6.2e9, timestampMs: 1_764_000_585_000 },
      { name: 'node_pressure_memory_some_avg10', labels: {}, value: 37.5, timestampMs: 1_764_000_600_000 },
    ],
  },
  'diagnosis.reports': {
    id: 'd1', requestId: 'r1', anomalyIds: ['a1'], entity: pod, scenario: 'MEMORY',
    rootCause: { code: 'MEMORY_LEAK_PROCESS', summary: 'java (pid 4242) grew to 6.2 GB at 4.1 MB/s' },
    evidence: [
      { name: 'rss growth rate', value: 4.1e6, unit: 'bytes/s', detail: 'pid 4242 java' },
      { name: 'memory pressure some avg10', value: 37.5, unit: '', detail: null },
    ],
    suggestions: [{ action: 'Raise the memory limit of ledger or fix the leak', command: 'kubectl top pod -n payments', setting: null }],
    confidence: 0.86, severity: 'CRITICAL', kubernetes: { owner: 'Deployment/ledger', limit: '8Gi' }, createdAtMs: 1_764_000_600_000,
    findings: [{ code: 'MEMORY_LIMIT_TOO_LOW', summary: 'ledger steady at 97 % of its 8 GiB limit', confidence: 0.6, severity: 'WARNING' }],
    missingEvidence: ['Kubernetes: no cluster configured'],
  },
  'health.updates': {
    id: 'h1', entity: node, level: 'NODE', score: 62.5, grade: 'WARNING',
    items: [{ code: 'DIAGNOSIS_REPORT', description: 'memory growth in java (pid 4242) — 内存增长', deduction: 37.5, sourceId: 'd1' }],
    timestampMs: 1_764_000_600_000, explanation: 'prod-eu-west-1/worker-3 62.5 (WARNING): −37.5 memory growth in java (pid 4242)',
  },
  notifications: {
    id: 'n1', dedupKey: 'report:d1', channel: 'slack', receiver: 'oncall', status: 'FAILED', subject: '[CRITICAL] worker-3: java memory growth',
    sourceIds: ['d1'], attempts: 3, error: 'HTTP 503 from hooks.slack.com', timestampMs: 1_764_000_601_000,
  },
  'notifier.silences': {
    id: 's1', matchers: ['namespace="payments"', 'pod=~"ledger-.*"'], startsAtMs: 1_764_000_000_000, endsAtMs: 1_764_007_200_000,
    createdBy: 'ana', comment: 'ledger migration — 迁移', updatedAtMs: 1_764_000_000_000, sync: null,
  },
  'notifier.outbox': {
    kind: 'ALERT', groupKey: 'g1', routeId: 'r0', receiver: 'oncall', labels: { cluster: 'prod', severity: 'CRITICAL' },
    startsAtMs: 1_764_000_000_000, resolvedAtMs: null, sourceId: 'd1', source: '{"type":"report","record":{}}',
    channelIndex: -1, firing: [], resolved: [], sentAtMs: 0, nonce: '',
  },
  'detector.state': {
    group: 'vigil-detector', partition: 3, kind: 'CHUNK', offset: 18_204, claim: '', format: 'v8-deflate/1',
    state: Buffer.from([1, 0x63, 0x60, 0x00]), generation: '6f1c2a9e-5b1d-4a8e-9c3f-0d7e2b4a1c55', slot: 'b', chunk: 2, chunks: 0,
    producedAtMs: 1_764_000_600_000,
  },
};

const deadLetter: DeadLetter = {
  topic: 'metrics.raw', partition: 2, offset: '18446744073709551615', key: Buffer.from('prod-eu-west-1/worker-3'),
  value: Buffer.from([0xc3, 0x01, 0xff]), headers: { 'content-type': 'avro/binary' }, errorCode: 'VIGIL_DECODE',
  error: 'unknown writer schema fingerprint', attempts: 1, service: 'detector/detector', timestampMs: 1_764_000_000_000,
};

describe('codecFor', () => {
  it.each(topics)('%s: a record survives encode → decode unchanged', (topic) => {
    const codec = codecFor(topic);
    const record = records[topic];
    expect(codec.decode(codec.encode(record as never))).toEqual(record);
  });

  it('dead letters survive encode → decode unchanged, bytes included', () => {
    const codec = deadLetterCodec();
    expect(codec.decode(codec.encode(deadLetter))).toEqual(deadLetter);
  });

  it('encodes records larger than its scratch buffer', () => {
    const codec = codecFor('metrics.raw');
    const batch = realisticMetricBatch(2, 5000);
    expect(codec.decode(codec.encode(batch))).toEqual(batch);
  });

  it('rejects a record that does not match the schema', () => {
    expect(() => codecFor('notifications').encode({ ...records.notifications, status: 'LOST' } as never)).toThrow(/invalid/);
  });
});

describe('decode errors are VIGIL_DECODE and say what is wrong', () => {
  const codec = codecFor('anomalies');
  const good = codec.encode(records.anomalies);

  const cases: [string, Buffer, RegExp][] = [
    ['no bytes', Buffer.alloc(0), /not an Avro single-object record: expected marker c301, got no bytes/],
    ['garbage', Buffer.from('{"json": "is not avro"}'), /expected marker c301, got 7b22/],
    ['wrong marker', Buffer.concat([Buffer.from([0xc3, 0x02]), good.subarray(2)]), /expected marker c301, got c302/],
    ['header cut short', good.subarray(0, 6), /expected marker c301, got c301 \(6 bytes, the header alone is 10\)/],
    ['unknown fingerprint', Buffer.concat([good.subarray(0, 2), Buffer.from('0102030405060708', 'hex'), good.subarray(10)]), /unknown writer schema fingerprint 0102030405060708 for io\.vigil\.Anomaly/],
    ['truncated body', good.subarray(0, good.length - 4), /invalid io\.vigil\.Anomaly body: truncated buffer/],
    ['trailing bytes', Buffer.concat([good, Buffer.from([1, 2])]), /invalid io\.vigil\.Anomaly body: trailing data/],
    ['another topic\'s record', codecFor('notifications').encode(records.notifications), /unknown writer schema fingerprint [0-9a-f]{16} for io\.vigil\.Anomaly/],
  ];

  it.each(cases)('%s', (_name, bytes, message) => {
    let error: unknown;
    try {
      codec.decode(bytes);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(VigilError);
    expect((error as VigilError).code).toBe('VIGIL_DECODE');
    expect((error as VigilError).message).toMatch(message);
  });

  it.each(topics)('%s: every truncation of a record is rejected', (topic) => {
    const topicCodec = codecFor(topic);
    const bytes = topicCodec.encode(records[topic] as never);
    for (let length = 10; length < bytes.length; length += Math.max(1, Math.floor(bytes.length / 200))) {
      expect(() => topicCodec.decode(bytes.subarray(0, length))).toThrow(VigilError);
    }
  });
});
