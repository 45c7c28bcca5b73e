import { expect, test } from 'vitest';
import { topics } from '../codec/schemas.js';
import { commonConfigSchema, loadConfig } from '../runtime/config.js';
import { parseTopicName, topicCatalogue, topicCatalogueFromConfig } from './topic-settings.js';

test('every topic and its dead-letter topic, prefixed, with the configured partitions and replication', () => {
  const catalogue = topicCatalogueFromConfig(loadConfig(commonConfigSchema, { VIGIL_TOPIC_PREFIX: 'staging.', VIGIL_TOPIC_PARTITIONS: '12', VIGIL_TOPIC_REPLICATION_FACTOR: '3' }));
  expect(catalogue.map((topic) => topic.name)).toEqual([...topics.map((topic) => `staging.${topic}`), ...topics.map((topic) => `staging.${topic}.dlq`)]);
  for (const topic of catalogue) {
    expect(topic.replicationFactor).toBe(3);
    expect(topic.partitions).toBe(topic.kind === 'pipeline' ? 12 : 1);
  }
  expect(topicCatalogue({ prefix: '', partitions: 6 }).every((topic) => topic.replicationFactor === undefined)).toBe(true);
});

test('health.updates is compacted and kept; dead letters outlive every pipeline topic', () => {
  const catalogue = topicCatalogue({ prefix: '', partitions: 6 });
  const health = catalogue.find((topic) => topic.name === 'health.updates')!;
  expect(health.configs).toMatchObject({ 'cleanup.policy': 'compact', 'retention.ms': '-1' });
  const longestPipeline = Math.max(...catalogue.filter((topic) => topic.kind === 'pipeline' && topic.configs['retention.ms'] !== '-1').map((topic) => Number(topic.configs['retention.ms'])));
  for (const letter of catalogue.filter((topic) => topic.kind === 'dead-letter')) {
    expect(letter.configs['cleanup.policy']).toBe('delete');
    expect(Number(letter.configs['retention.ms'])).toBeGreaterThan(longestPipeline);
    expect(letter.schemaFile).toBe('dead-letter.avsc');
  }
});

test('partitions and replication are validated at start, naming the variable', () => {
  expect(() => loadConfig(commonConfigSchema, { VIGIL_TOPIC_PARTITIONS: '0' })).toThrow(/VIGIL_TOPIC_PARTITIONS="0"/);
  expect(() => loadConfig(commonConfigSchema, { VIGIL_TOPIC_REPLICATION_FACTOR: 'three' })).toThrow(/VIGIL_TOPIC_REPLICATION_FACTOR="three"/);
  expect(() => loadConfig(commonConfigSchema, { VIGIL_TOPIC_CREATE: 'maybe' })).toThrow(/VIGIL_TOPIC_CREATE="maybe": expected true or false/);
  expect(loadConfig(commonConfigSchema, { VIGIL_TOPIC_CREATE: 'false' }).VIGIL_TOPIC_CREATE).toBe(false);
});

test.each([
  ['staging.anomalies', 'staging.', { topic: 'anomalies', deadLetter: false }],
  ['staging.metrics.raw.dlq', 'staging.', { topic: 'metrics.raw', deadLetter: true }],
  ['anomalies', 'staging.', undefined],
  ['staging.orders', 'staging.', undefined],
])('parseTopicName(%s, %s)', (name, prefix, expected) => {
  expect(parseTopicName(name, prefix)).toEqual(expected);
});
