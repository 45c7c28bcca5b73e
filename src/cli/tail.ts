/**
 * `vigil tail TOPIC [--from-beginning] [--json]`: the records of any Vigil topic, decoded, as they
 * arrive. TOPIC is the name without VIGIL_TOPIC_PREFIX (the prefix is added): a pipeline topic
 * (`anomalies`) or its dead-letter topic (`anomalies.dlq`, where each letter's original record is
 * decoded too when it can be). Either framing is read (single-object, or Schema Registry with
 * VIGIL_SCHEMA_REGISTRY_URL set to look ids up). A record that cannot be decoded is shown with the
 * reason, and tailing goes on.
 *
 * Output: for a person, a header line per record (topic[partition]@offset, time, key) followed by
 * the record as indented JSON; with --json, one JSON object per line:
 * {topic, partition, offset, timestampMs, key, value} or {…, error}.
 */
import { Command, InvalidArgumentError } from 'commander';
import { createBusFromConfig } from '../bus/create-bus.js';
import { parseTopicName } from '../bus/topic-settings.js';
import type { RecordCodec } from '../codec/wire-format.js';
import { registrySchemaId, wireFormatFromConfig, type WireFormat } from '../codec/wire-format.js';
import type { DeadLetter } from '../codec/records.generated.js';
import { topics, type Topic } from '../codec/schemas.js';
import { VigilError } from '../errors.js';
import type { IncomingRecord } from '../bus/bus.js';
import { commonConfigSchema, loadConfig } from '../runtime/config.js';

export interface TailTarget {
  topic: Topic;
  deadLetter: boolean;
}

/** TOPIC as typed: a pipeline topic or `<topic>.dlq`, without the prefix. */
export function parseTailTopic(value: string): TailTarget {
  const parsed = parseTopicName(value, '');
  if (!parsed) throw new InvalidArgumentError(`expected one of ${topics.join(', ')}, or one of them followed by .dlq`);
  return { topic: parsed.topic, deadLetter: parsed.deadLetter };
}

/** Plain JSON for a decoded record: bytes become text when they are UTF-8 (keys), else base64. */
function plain(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return { base64: value.toString('base64') };
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([name, field]) => [name, plain(field)]));
  return value;
}

function framingOf(bytes: Buffer): string {
  const id = registrySchemaId(bytes);
  return id === undefined ? 'single-object' : `schema id ${id}`;
}

/** A dead letter with its original record decoded when possible. */
async function readableLetter(letter: DeadLetter, original: RecordCodec<unknown>): Promise<unknown> {
  const readable: Record<string, unknown> = { ...(plain(letter) as Record<string, unknown>), key: letter.key?.toString('utf8') ?? null };
  if (letter.value) {
    try {
      readable.value = plain(await original.decode(letter.value));
    } catch (error) {
      readable.value = { base64: letter.value.toString('base64'), undecodable: (error as Error).message };
    }
  }
  return readable;
}

/** Decodes one record of `target` for people; never throws for bad bytes. */
export async function describeRecord(record: IncomingRecord, target: TailTarget, wire: WireFormat): Promise<{ value?: unknown; error?: string; framing?: string }> {
  if (record.value === null) return { value: null, framing: 'tombstone' };
  try {
    if (target.deadLetter) {
      const letter = await wire.deadLetterCodec(target.topic).decode(record.value);
      return { value: await readableLetter(letter, wire.codec(target.topic) as RecordCodec<unknown>), framing: framingOf(record.value) };
    }
    return { value: plain(await wire.codec(target.topic).decode(record.value)), framing: framingOf(record.value) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

export function registerTailCommand(program: Command): void {
  program
    .command('tail')
    .argument('<topic>', `one of ${topics.join(', ')}, or <topic>.dlq for its dead letters (VIGIL_TOPIC_PREFIX is added)`, parseTailTopic)
    .option('--from-beginning', 'start at the oldest record instead of the newest', false)
    .option('--json', 'one JSON object per line ({topic, partition, offset, timestampMs, key, value}) instead of the readable form', false)
    .description('print the records of a topic decoded, as they arrive, until Ctrl-C (needs VIGIL_BUS=kafka or rdkafka)')
    .action(async (target: TailTarget, options: { fromBeginning: boolean; json: boolean }) => {
      const config = loadConfig(commonConfigSchema);
      if (config.VIGIL_BUS === 'memory') {
        throw new VigilError('VIGIL_CONFIG', 'vigil tail reads Kafka: set VIGIL_BUS=kafka or rdkafka and KAFKA_BROKERS (the memory bus lives inside one process)');
      }
      const topicName = `${config.VIGIL_TOPIC_PREFIX}${target.topic}${target.deadLetter ? '.dlq' : ''}`;
      const wire = wireFormatFromConfig(config);
      const bus = createBusFromConfig(config, { clientId: 'vigil-tail' });
      await bus.connect();
      const write = (line: string): void => { process.stdout.write(`${line}\n`); };
      let announced = false;
      const subscription = await bus.subscribe({
        topic: topicName,
        group: `vigil-tail-${process.pid}-${Date.now()}`,
        fromBeginning: options.fromBeginning,
        // A throwaway group: nothing to commit.
        commitIntervalMs: 0,
        onAssignment: (partitions) => {
          if (announced || partitions.length === 0) return;
          announced = true;
          process.stderr.write(`vigil: tailing ${topicName} from the ${options.fromBeginning ? 'oldest' : 'newest'} record (Ctrl-C to stop)\n`);
        },
        handler: async (record) => {
          const { value, error, framing } = await describeRecord(record, target, wire);
          const key = record.key?.toString('utf8') ?? null;
          if (options.json) {
            write(JSON.stringify({ topic: record.topic, partition: record.partition, offset: record.offset, timestampMs: record.timestampMs, key, ...(error === undefined ? { value } : { error }) }));
            return;
          }
          const where = `${record.topic}[${record.partition}]@${record.offset}  ${new Date(record.timestampMs).toISOString()}  key ${key ?? '(none)'}`;
          if (error !== undefined) write(`${where}  cannot decode: ${error}`);
          else write(`${where}  (${framing})\n${JSON.stringify(value, null, 2)}`);
        },
      });
      const stop = (): void => {
        void subscription.close({ commit: false }).then(() => bus.close()).then(() => process.exit(0), () => process.exit(1));
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
}
