/**
 * The expert rule file (YAML): parsed and validated once at start, compiled into ExpertRule[] for
 * the core. A mistake is a VIGIL_CONFIG error naming the file, the rule (index and name) and the
 * field, e.g. `rules[3] "memory-limit": threshold.above: expected a number`. The format is
 * documented in default-rules.yaml, the file shipped for the collector's metrics.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { scenarioSymbols } from '../../../src/codec/records.generated.js';
import { VigilError } from '../../../src/errors.js';
import { defaultLifecycleRule, type ExpertRule, type LifecycleRule, type Matcher, type Threshold } from '../core/expert-rules.js';
import { describeZodIssue, zodPathText } from '../../../src/runtime/zod-issues.js';

export const defaultRuleFile = fileURLToPath(new URL('./default-rules.yaml', import.meta.url));

const binarySuffixes: Record<string, number> = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4 };
const durationUnits: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** 42, "64Mi", "1.5Gi", "95%" (0.95), "1e6"; undefined when it is none of these. */
export function parseQuantity(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = /^\s*(-?[\d.]+(?:e[+-]?\d+)?)\s*(Ki|Mi|Gi|Ti|%)?\s*$/i.exec(value);
  if (!match) return undefined;
  const number = Number(match[1]);
  if (!Number.isFinite(number)) return undefined;
  const suffix = match[2];
  if (suffix === undefined) return number;
  if (suffix === '%') return number / 100;
  const factor = binarySuffixes[suffix];
  return factor === undefined ? undefined : number * factor;
}

/** "500ms", "30s", "1m", "1h" or a number of seconds, as milliseconds; undefined when it is none of these. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value * 1000 : undefined;
  if (typeof value !== 'string') return undefined;
  const match = /^\s*([\d.]+)\s*(ms|s|m|h)\s*$/.exec(value);
  if (!match) return undefined;
  const amount = Number(match[1]);
  return Number.isFinite(amount) ? amount * durationUnits[match[2]!]! : undefined;
}

/**
 * A metric or label matcher: `/regex/` (anchored by you), a glob (`*` any run, `?` one character),
 * or an exact string; for labels a leading `!` negates. Throws with the reason when invalid.
 */
export function compileMatcher(pattern: string, negatable: boolean): Matcher {
  if (negatable && pattern.startsWith('!')) {
    const inner = compileMatcher(pattern.slice(1), false);
    return { test: (value) => !inner.test(value) };
  }
  if (pattern.length >= 2 && pattern.startsWith('/') && pattern.endsWith('/')) return new RegExp(pattern.slice(1, -1));
  if (/[*?]/.test(pattern)) {
    const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    return new RegExp(`^${source}$`);
  }
  return { test: (value) => value === pattern };
}

const quantity = (what = 'a number') =>
  z.unknown().transform((value, ctx) => {
    const parsed = parseQuantity(value);
    if (parsed === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected ${what}, got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return parsed;
  });

const duration = z.unknown().transform((value, ctx) => {
  const parsed = parseDuration(value);
  if (parsed === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected a duration such as 30s, 1m, 500ms, got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return parsed;
});

const pattern = (negatable: boolean) =>
  z.string().min(1).transform((text, ctx) => {
    try {
      return compileMatcher(text, negatable);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `not a valid pattern: ${(error as Error).message}` });
      return z.NEVER;
    }
  });

const severity = z.enum(['INFO', 'WARNING', 'CRITICAL']);
const scenario = z.enum(scenarioSymbols);
const positiveInteger = z.number().int().min(1);
const metricName = z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'expected a metric name');

const openSchema = z.strictObject({ after: positiveInteger, of: positiveInteger }).refine((open) => open.after <= open.of, { message: 'after must not exceed of' });
const resolveSchema = z.strictObject({
  after: positiveInteger.optional(),
  level: z.number().gt(0).max(1).optional(),
});

const thresholdSchema = z
  .strictObject({
    name: z.string().min(1).optional(),
    above: quantity().optional(),
    below: quantity().optional(),
    ratioTo: metricName.optional(),
    for: duration.optional(),
    clear: quantity().optional(),
    severity: severity.default('WARNING'),
    kind: z.enum(['THRESHOLD', 'HIGH_WATERMARK']).default('THRESHOLD'),
  })
  .superRefine((threshold, ctx) => {
    if ((threshold.above === undefined) === (threshold.below === undefined)) ctx.addIssue({ code: 'custom', message: 'expected exactly one of above and below' });
    if (threshold.clear !== undefined && threshold.above !== undefined && threshold.clear > threshold.above) ctx.addIssue({ code: 'custom', path: ['clear'], message: 'must not be above `above` (it is where an open anomaly resolves)' });
    if (threshold.clear !== undefined && threshold.below !== undefined && threshold.clear < threshold.below) ctx.addIssue({ code: 'custom', path: ['clear'], message: 'must not be below `below` (it is where an open anomaly resolves)' });
  });

const ruleSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a lower-case name with dashes, e.g. memory-limit'),
    metric: pattern(false),
    labels: z.record(z.string(), pattern(true)).optional(),
    statistical: z.boolean().optional(),
    directions: z.array(z.enum(['SPIKE', 'DIP'])).min(1).optional(),
    minimumChange: z
      .strictObject({
        absolute: quantity().optional(),
        relative: quantity().optional(),
        of: z.strictObject({ metric: metricName, ratio: quantity() }).optional(),
      })
      .optional(),
    neverBelow: quantity().optional(),
    trend: z.strictObject({ points: z.number().int().min(2), minSteadyShare: z.number().gt(0).max(1) }).optional(),
    severity: severity.optional(),
    threshold: thresholdSchema.optional(),
    event: z.strictObject({ resolveAfter: duration, severity: severity.default('WARNING') }).optional(),
    scenario: scenario.optional(),
    open: openSchema.optional(),
    resolve: resolveSchema.optional(),
  })
  .superRefine((rule, ctx) => {
    if (rule.event && rule.statistical === true) ctx.addIssue({ code: 'custom', path: ['statistical'], message: 'an event is never judged statistically' });
    if (rule.event && rule.threshold) ctx.addIssue({ code: 'custom', path: ['threshold'], message: 'an event has no threshold' });
  });

const fileSchema = z.strictObject({
  defaults: z.strictObject({ open: openSchema.optional(), resolve: resolveSchema.optional() }).optional(),
  rules: z.array(z.unknown()).min(1),
});

type ParsedRule = z.output<typeof ruleSchema>;

/** The issue to report: an unknown key first (a misspelt key also makes the intended one missing). */
function firstIssue(error: z.ZodError): z.core.$ZodIssue {
  return error.issues.find((issue) => issue.code === 'unrecognized_keys') ?? error.issues[0]!;
}

function fail(origin: string, message: string, cause?: unknown): never {
  throw new VigilError('VIGIL_CONFIG', `${origin}: ${message}`, { cause });
}

function lifecycleOf(open: { after: number; of: number } | undefined, resolve: { after?: number; level?: number } | undefined, base: LifecycleRule): LifecycleRule {
  return {
    openAfter: open?.after ?? base.openAfter,
    openWindow: open?.of ?? base.openWindow,
    resolveAfter: resolve?.after ?? base.resolveAfter,
    resolveLevel: resolve?.level ?? base.resolveLevel,
  };
}

function compile(rule: ParsedRule, base: LifecycleRule): ExpertRule {
  let threshold: Threshold | undefined;
  if (rule.threshold) {
    const t = rule.threshold;
    const limit = t.above ?? t.below!;
    const defaultClear = t.above !== undefined ? limit - 0.05 * Math.abs(limit) : limit + 0.05 * Math.abs(limit);
    threshold = {
      name: t.name ?? rule.name,
      ...(t.above !== undefined ? { above: t.above } : { below: t.below! }),
      ...(t.ratioTo !== undefined ? { ratioTo: t.ratioTo } : {}),
      forMs: t.for ?? 0,
      clear: t.clear ?? defaultClear,
      severity: t.severity,
      kind: t.kind,
    };
  }
  return {
    name: rule.name,
    metric: rule.metric,
    ...(rule.labels ? { labels: rule.labels } : {}),
    statistical: rule.event ? false : (rule.statistical ?? true),
    ...(rule.directions ? { directions: rule.directions } : {}),
    ...(rule.minimumChange ? { minimumChange: rule.minimumChange } : {}),
    ...(rule.neverBelow !== undefined ? { neverBelow: rule.neverBelow } : {}),
    ...(rule.trend ? { trend: rule.trend } : {}),
    ...(rule.severity ? { severity: rule.severity } : {}),
    ...(threshold ? { threshold } : {}),
    ...(rule.event ? { event: { resolveAfterMs: rule.event.resolveAfter, severity: rule.event.severity } } : {}),
    ...(rule.scenario ? { scenario: rule.scenario } : {}),
    lifecycle: lifecycleOf(rule.open, rule.resolve, base),
  };
}

/** Parses and validates rule file text; `origin` (the path) prefixes every error. */
export function parseRuleFile(text: string, origin: string): ExpertRule[] {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) fail(origin, `not valid YAML: ${document.errors[0]!.message}`, document.errors[0]);
  const data: unknown = document.toJS();
  const file = fileSchema.safeParse(data);
  if (!file.success) {
    const issue = firstIssue(file.error);
    fail(origin, `${issue.path.length > 0 ? `${zodPathText(issue.path)}: ` : ''}${describeZodIssue(issue)}`);
  }
  const base = lifecycleOf(file.data.defaults?.open, file.data.defaults?.resolve, defaultLifecycleRule);
  const names = new Map<string, number>();
  return file.data.rules.map((raw, index) => {
    const rawName = typeof raw === 'object' && raw !== null && typeof (raw as { name?: unknown }).name === 'string' ? (raw as { name: string }).name : undefined;
    const where = `rules[${index}]${rawName !== undefined ? ` ${JSON.stringify(rawName)}` : ''}`;
    const parsed = ruleSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = firstIssue(parsed.error);
      fail(origin, `${where}: ${issue.path.length > 0 ? `${zodPathText(issue.path)}: ` : ''}${describeZodIssue(issue)}`);
    }
    const earlier = names.get(parsed.data.name);
    if (earlier !== undefined) fail(origin, `${where}: name: already used by rules[${earlier}]`);
    names.set(parsed.data.name, index);
    return compile(parsed.data, base);
  });
}

/** Reads, validates and compiles a rule file (VIGIL_DETECTOR_RULES); throws VigilError('VIGIL_CONFIG') naming the rule and field. */
export function loadRuleFile(path: string): ExpertRule[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    fail(path, `cannot read the rule file: ${(error as Error).message}`, error);
  }
  return parseRuleFile(text, path);
}

let shipped: readonly ExpertRule[] | undefined;

/** The shipped default-rules.yaml, loaded once. */
export function defaultRules(): readonly ExpertRule[] {
  shipped ??= Object.freeze(loadRuleFile(defaultRuleFile));
  return shipped;
}
