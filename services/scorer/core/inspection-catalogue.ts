/**
 * The inspection catalogue (YAML): which anomalies and reports feed which inspection item of a
 * level, and how many points they cost. Parsed and validated once at start; a mistake is a
 * VIGIL_CONFIG error naming the file, the item (index, name, level) and the field, e.g.
 * `inspection.yaml: items[3] "memory" (POD): weight: expected a number`. The format is documented
 * in default-inspection.yaml.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import {
  anomalyKindSymbols,
  healthLevelSymbols,
  scenarioSymbols,
  type Anomaly,
  type AnomalyKind,
  type DiagnosisReport,
  type HealthLevel,
  type Scenario,
  type Severity,
} from '../../../src/codec/records.generated.js';
import { VigilError } from '../../../src/errors.js';
import { describeZodIssue, zodPathText } from '../../../src/runtime/zod-issues.js';

export const defaultInspectionFile = fileURLToPath(new URL('./default-inspection.yaml', import.meta.url));

export interface InspectionItem {
  name: string;
  level: HealthLevel;
  /** Multiplies the severity points of what it matches. */
  weight: number;
  description: string;
  metrics: readonly string[];
  kinds?: readonly AnomalyKind[];
  causes: readonly string[];
  scenarios: readonly Scenario[];
}

export interface InspectionCatalogue {
  /** Base deduction by severity, before the item's weight (and, for a report, its confidence). */
  points: { anomaly: Readonly<Record<Severity, number>>; report: Readonly<Record<Severity, number>> };
  items: readonly InspectionItem[];
  /** The item an anomaly on an entity of `level` counts under (the fallback "other" when none matches). */
  itemForAnomaly(level: HealthLevel, anomaly: Pick<Anomaly, 'metric' | 'kind'>): InspectionItem;
  /** The item a report on an entity of `level` counts under: its cause or its scenario matches. */
  itemForReport(level: HealthLevel, report: Pick<DiagnosisReport, 'rootCause' | 'scenario'>): InspectionItem;
}

/** Exact string, or a glob: `*` any run, `?` one character. */
function globMatcher(pattern: string): (value: string) => boolean {
  if (pattern === '*') return () => true;
  if (!/[*?]/.test(pattern)) return (value) => value === pattern;
  const source = pattern.replace(/[.+^${}()|[\]\\/]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  const regex = new RegExp(`^${source}$`);
  return (value) => regex.test(value);
}

const points = z.strictObject({ INFO: z.number().min(0).max(100), WARNING: z.number().min(0).max(100), CRITICAL: z.number().min(0).max(100) });
const pattern = z.string().min(1).regex(/^[A-Za-z0-9_:*?]+$/, 'expected a name or a glob of letters, digits, _, :, * and ?');

const itemSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a lower-case name with dashes, e.g. oom-kills'),
    level: z.enum(healthLevelSymbols),
    weight: z.number().min(0).max(10),
    description: z.string().min(1),
    metrics: z.array(pattern).optional(),
    kinds: z.array(z.enum(anomalyKindSymbols)).min(1).optional(),
    causes: z.array(pattern).optional(),
    scenarios: z.array(z.enum(scenarioSymbols)).optional(),
  })
  .superRefine((item, ctx) => {
    if (!item.metrics?.length && !item.causes?.length && !item.scenarios?.length) ctx.addIssue({ code: 'custom', message: 'expected at least one of metrics, causes, scenarios' });
    if (item.kinds && !item.metrics?.length) ctx.addIssue({ code: 'custom', path: ['kinds'], message: 'kinds only narrow metrics; add metrics' });
  });

const fileSchema = z.strictObject({
  points: z.strictObject({ anomaly: points, report: points }),
  items: z.array(z.unknown()).min(1),
});

/** The value at `path` in the parsed YAML, to tell a missing field from a wrong one. */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const part of path) value = typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[part] : undefined;
  return value;
}

function issueText(error: z.ZodError, input: unknown): string {
  const issue = error.issues.find((candidate) => candidate.code === 'unrecognized_keys') ?? error.issues[0]!;
  const where = zodPathText(issue.path);
  const what = issue.path.length > 0 && valueAt(input, issue.path) === undefined ? 'required' : describeZodIssue(issue);
  return where ? `${where}: ${what}` : what;
}

function fail(origin: string, message: string, cause?: unknown): never {
  throw new VigilError('VIGIL_CONFIG', `${origin}: ${message}`, { cause });
}

const fallbackItem = (level: HealthLevel): InspectionItem => ({
  name: 'other', level, weight: 1, description: 'not matched by any inspection item', metrics: [], causes: [], scenarios: [],
});

/** Validates a parsed catalogue; `origin` (a file name) starts every error message. */
export function buildInspectionCatalogue(input: unknown, origin = 'inspection catalogue'): InspectionCatalogue {
  const file = fileSchema.safeParse(input);
  if (!file.success) fail(origin, issueText(file.error, input));
  const items: InspectionItem[] = [];
  const seen = new Map<string, number>();
  file.data.items.forEach((raw, index) => {
    const name = typeof raw === 'object' && raw !== null && typeof (raw as { name?: unknown }).name === 'string' ? (raw as { name: string }).name : undefined;
    const level = typeof raw === 'object' && raw !== null && typeof (raw as { level?: unknown }).level === 'string' ? (raw as { level: string }).level : undefined;
    const label = `items[${index}]${name !== undefined ? ` "${name}"` : ''}${level !== undefined ? ` (${level})` : ''}`;
    const parsed = itemSchema.safeParse(raw);
    if (!parsed.success) fail(origin, `${label}: ${issueText(parsed.error, raw)}`);
    const item = parsed.data;
    const key = `${item.level}/${item.name}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) fail(origin, `${label}: name: already used at level ${item.level} by items[${earlier}]`);
    seen.set(key, index);
    items.push({
      name: item.name, level: item.level, weight: item.weight, description: item.description,
      metrics: item.metrics ?? [], ...(item.kinds ? { kinds: item.kinds } : {}), causes: item.causes ?? [], scenarios: item.scenarios ?? [],
    });
  });

  const compiled = items.map((item) => ({ item, metric: item.metrics.map(globMatcher), cause: item.causes.map(globMatcher) }));
  const byLevel = new Map(healthLevelSymbols.map((level) => [level, compiled.filter((entry) => entry.item.level === level)] as const));
  const fallbacks = new Map(healthLevelSymbols.map((level) => [level, fallbackItem(level)] as const));
  // Metrics and causes repeat endlessly: remember the answer (bounded; cleared when full).
  const memo = new Map<string, InspectionItem>();
  const remember = (key: string, item: InspectionItem) => {
    if (memo.size >= 10_000) memo.clear();
    memo.set(key, item);
    return item;
  };

  return {
    points: { anomaly: file.data.points.anomaly, report: file.data.points.report },
    items,
    itemForAnomaly(level, { metric, kind }) {
      const key = `a\u0000${level}\u0000${kind}\u0000${metric}`;
      const known = memo.get(key);
      if (known) return known;
      const found = byLevel.get(level)!.find((entry) => entry.metric.some((test) => test(metric)) && (!entry.item.kinds || entry.item.kinds.includes(kind)));
      return remember(key, found?.item ?? fallbacks.get(level)!);
    },
    itemForReport(level, { rootCause, scenario }) {
      const key = `r\u0000${level}\u0000${scenario}\u0000${rootCause.code}`;
      const known = memo.get(key);
      if (known) return known;
      const found = byLevel.get(level)!.find((entry) => entry.cause.some((test) => test(rootCause.code)) || entry.item.scenarios.includes(scenario));
      return remember(key, found?.item ?? fallbacks.get(level)!);
    },
  };
}

/** Parses YAML text of the catalogue format. */
export function parseInspectionCatalogue(text: string, origin = 'inspection catalogue'): InspectionCatalogue {
  const document = parseDocument(text, { uniqueKeys: true });
  if (document.errors.length > 0) fail(origin, `not valid YAML: ${document.errors[0]!.message}`, document.errors[0]);
  return buildInspectionCatalogue(document.toJS(), origin);
}

/** Reads and validates a catalogue file (VIGIL_SCORER_CATALOGUE). */
export function loadInspectionCatalogue(path: string): InspectionCatalogue {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    fail(path, `cannot read the inspection catalogue: ${(error as Error).message}`, error);
  }
  return parseInspectionCatalogue(text, path);
}

let shipped: InspectionCatalogue | undefined;

/** The catalogue shipped with Vigil (default-inspection.yaml), read once. */
export function defaultInspectionCatalogue(): InspectionCatalogue {
  shipped ??= loadInspectionCatalogue(defaultInspectionFile);
  return shipped;
}
