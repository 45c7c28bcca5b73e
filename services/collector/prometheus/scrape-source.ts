/** Scrapes a Prometheus /metrics endpoint (node_exporter, cAdvisor, kube-state-metrics, …) each cycle. */
import { z } from 'zod';
import type { Sample } from '../../../src/codec/records.generated.js';
import type { Problems } from '../core/problems.js';
import type { Source, SourceBatch } from '../source.js';
import { parseExposition } from './parse-exposition.js';
import { maxSamplesPerBatch, seriesKey, shardSamples } from './shard.js';

export interface ScrapeTarget {
  /** Job name: the `job` label of every sample and the source `prom.<job>`. */
  job: string;
  url: string;
  timeoutMs: number;
}

export interface ScrapeOptions {
  /** Replaces the global fetch (tests). */
  fetch?: typeof fetch;
  /** Bodies larger than this are refused (a misconfigured target must not exhaust memory). */
  maxBodyBytes?: number;
  maxSamplesPerBatch?: number;
}

/** The text format 0.0.4 only: every exporter speaks it, and its timestamps are milliseconds. */
export const scrapeAcceptHeader = 'text/plain;version=0.0.4';

const defaultMaxBodyBytes = 64 * 1024 * 1024;

/**
 * A Source reading one target: its samples labelled `job` (an exporter's own `job` label becomes
 * `exported_job`, as Prometheus does), NaN values dropped and counted, duplicate series dropped,
 * in batches `prom.<job>` (or `prom.<job>.<k>` when larger than a batch; see shardSamples).
 * A target that is down, slow or answers garbage reports a problem and yields no batch.
 * Sample timestamps written by the exporter (kubelet's cAdvisor writes them) are not kept: the batch
 * carries the cycle time.
 */
export function scrapeSource(target: ScrapeTarget, options: ScrapeOptions = {}): Source {
  const name = `prom.${target.job}`;
  const doFetch = options.fetch ?? fetch;
  const maxBodyBytes = options.maxBodyBytes ?? defaultMaxBodyBytes;
  return {
    name,
    async collect({ problems }): Promise<SourceBatch[]> {
      const text = await fetchText(doFetch, target, maxBodyBytes, problems);
      if (text === undefined) return [];
      const samples = toSamples(target.job, parseExposition(text, problems).samples, problems);
      return shardSamples(name, samples, options.maxSamplesPerBatch ?? maxSamplesPerBatch);
    },
  };
}

async function fetchText(doFetch: typeof fetch, target: ScrapeTarget, maxBodyBytes: number, problems: Problems): Promise<string | undefined> {
  try {
    const response = await doFetch(target.url, {
      headers: { accept: scrapeAcceptHeader },
      signal: AbortSignal.timeout(target.timeoutMs),
      redirect: 'follow',
    });
    if (!response.ok) {
      problems.report(`GET ${target.url}: HTTP ${response.status} ${response.statusText}`.trimEnd());
      await response.body?.cancel().catch(() => undefined);
      return undefined;
    }
    const declaredBytes = Number(response.headers.get('content-length') ?? 0);
    if (declaredBytes > maxBodyBytes) {
      problems.report(`GET ${target.url}: body of ${declaredBytes} bytes is over the limit of ${maxBodyBytes}`);
      await response.body?.cancel().catch(() => undefined);
      return undefined;
    }
    const body = await readBounded(response, maxBodyBytes);
    if (body === undefined) {
      problems.report(`GET ${target.url}: body is over the limit of ${maxBodyBytes} bytes`);
      return undefined;
    }
    return body;
  } catch (error) {
    const reason = error instanceof Error && error.name === 'TimeoutError'
      ? `no answer within ${target.timeoutMs} ms`
      : describeFetchError(error);
    problems.report(`GET ${target.url}: ${reason}`);
    return undefined;
  }
}

/** fetch() fails with "fetch failed" and the real reason (ECONNREFUSED, ENOTFOUND) in its cause. */
function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause : undefined;
  const code = cause && 'code' in cause ? String(cause.code) : undefined;
  return cause ? `${error.message}: ${code ?? cause.message}` : error.message;
}

async function readBounded(response: Response, maxBodyBytes: number): Promise<string | undefined> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of response.body) {
    total += chunk.byteLength;
    if (total > maxBodyBytes) {
      await response.body.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total).toString('utf8');
}

/** Adds `job`, drops NaN (counted) and repeated series (counted), keeps ±Inf. */
function toSamples(job: string, parsed: readonly { name: string; labels: Record<string, string>; value: number }[], problems: Problems): Sample[] {
  const samples: Sample[] = [];
  const seen = new Set<string>();
  let nanCount = 0;
  let duplicateCount = 0;
  for (const { name, labels, value } of parsed) {
    if (Number.isNaN(value)) {
      nanCount++;
      continue;
    }
    if ('job' in labels) labels.exported_job = labels.job;
    labels.job = job;
    const key = seriesKey(name, labels);
    if (seen.has(key)) {
      duplicateCount++;
      continue;
    }
    seen.add(key);
    samples.push({ name, labels, value });
  }
  if (nanCount > 0) problems.report(`${nanCount} samples with value NaN dropped`);
  if (duplicateCount > 0) problems.report(`${duplicateCount} repeated series dropped (the first value of each is kept)`);
  return samples;
}

const jobPattern = /^[A-Za-z0-9_.-]+$/;

/** `job=url,job=url` → targets; each bad entry is an issue naming the entry (the variable is the path). */
const scrapeTargetList = z.string().transform((text, context) => {
  const targets: { job: string; url: string }[] = [];
  for (const entry of text.split(',').map((part) => part.trim()).filter(Boolean)) {
    const equals = entry.indexOf('=');
    const job = equals === -1 ? '' : entry.slice(0, equals).trim();
    const url = equals === -1 ? '' : entry.slice(equals + 1).trim();
    let why: string | undefined;
    if (equals === -1) why = 'expected job=url';
    else if (!jobPattern.test(job)) why = 'the job name must be letters, digits, "_", "." or "-"';
    else if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) why = 'expected an http:// or https:// URL';
    else if (targets.some((target) => target.job === job)) why = `job ${job} is listed twice`;
    if (why) context.addIssue({ code: 'custom', message: `bad entry ${JSON.stringify(entry)}: ${why}` });
    else targets.push({ job, url });
  }
  return targets;
});

/** The collector's Prometheus settings; merged into collectorConfigSchema. */
export const prometheusConfigSchema = z.object({
  VIGIL_SCRAPE_TARGETS: scrapeTargetList.default([]).describe(
    'Prometheus endpoints to scrape every interval, comma-separated job=url pairs, e.g. "node=http://localhost:9100/metrics,ksm=http://kube-state-metrics:8080/metrics"; each becomes source prom.<job> with label job',
  ),
  VIGIL_SCRAPE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(4000).describe(
    'How long one scrape may take in milliseconds; keep it below VIGIL_INTERVAL_MS',
  ),
  VIGIL_REMOTE_WRITE_PORT: z.coerce.number().int().min(0).max(65535).default(0).describe(
    'Port of the Prometheus remote_write receiver (POST /api/v1/write); 0 or unset turns it off',
  ),
  VIGIL_REMOTE_WRITE_NODE_LABEL: z.string().trim().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a label name').optional().describe(
    'Label that names the node of a remote-written series (e.g. "node"); series without it are put on the host of their instance label',
  ),
});

export type PrometheusConfig = z.infer<typeof prometheusConfigSchema>;

/** The targets of a parsed config, with the shared timeout. */
export function scrapeTargetsOf(config: PrometheusConfig): ScrapeTarget[] {
  return config.VIGIL_SCRAPE_TARGETS.map(({ job, url }) => ({ job, url, timeoutMs: config.VIGIL_SCRAPE_TIMEOUT_MS }));
}
