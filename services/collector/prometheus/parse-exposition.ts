/**
 * Prometheus text exposition (format 0.0.4, and the OpenMetrics text that exporters send when
 * asked for it) → samples. Written by hand rather than with parse-prometheus-text-format 1.1.1,
 * which on the real fixtures drops the last sample of a body without a final newline
 * (openshift-insights/metrics), throws away the whole body on one bad line, folds histograms into
 * one bucket map per family (two label sets of one histogram overwrite each other) and returns
 * values as strings. See README.md in this folder.
 *
 * Spec: https://prometheus.io/docs/instrumenting/exposition_formats/#text-format-details.
 * Pure: no I/O, no clock. Never throws: a line it cannot read is skipped and reported.
 */
import type { Problems } from '../core/problems.js';

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped'
  // OpenMetrics types, accepted so an OpenMetrics body parses; their series are plain series too.
  | 'unknown' | 'gaugehistogram' | 'stateset' | 'info';

const metricTypes: ReadonlySet<string> = new Set<MetricType>(['counter', 'gauge', 'histogram', 'summary', 'untyped', 'unknown', 'gaugehistogram', 'stateset', 'info']);

/** One line of exposition: histogram and summary parts (`_bucket`, `_sum`, `_count`, quantiles) are plain series. */
export interface ExpositionSample {
  name: string;
  labels: Record<string, string>;
  /** NaN, +Inf and -Inf are kept as the numbers they are; callers decide what to do with NaN. */
  value: number;
  /** The sample's own timestamp (milliseconds since the epoch) when the exporter wrote one. */
  timestampMs?: number;
}

/** What `# TYPE` and `# HELP` said about a metric family (keyed by family name, without `_bucket` etc.). */
export interface MetricFamily {
  type: MetricType;
  help: string;
}

export interface Exposition {
  samples: ExpositionSample[];
  families: Map<string, MetricFamily>;
}

/** At most this many skipped lines are reported one by one; the rest are counted in one report. */
const maxLineReports = 10;

export function parseExposition(text: string, problems: Problems): Exposition {
  const samples: ExpositionSample[] = [];
  const families = new Map<string, MetricFamily>();
  let skipped = 0;
  const skip = (lineNumber: number, line: string, why: string): void => {
    skipped++;
    if (skipped <= maxLineReports) problems.report(`exposition line ${lineNumber}: ${why}: ${JSON.stringify(line.slice(0, 80))}`);
  };

  let start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (let lineNumber = 1; start < text.length; lineNumber++) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    let line = text.slice(start, end);
    start = end + 1;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    try {
      const first = firstNonBlank(line, 0);
      if (first === line.length) continue;
      if (line.charCodeAt(first) === 0x23 /* # */) {
        const comment = line.slice(first);
        if (comment === '# EOF' || comment.startsWith('# EOF ')) break;
        const why = readComment(comment, families);
        if (why) skip(lineNumber, line, why);
        continue;
      }
      const sample = readSample(line, first);
      if (typeof sample === 'string') skip(lineNumber, line, sample);
      else samples.push(sample);
    } catch (error) {
      skip(lineNumber, line, `unreadable (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  if (skipped > maxLineReports) problems.report(`exposition: ${skipped - maxLineReports} more unreadable lines skipped`);
  return { samples, families };
}

const isBlank = (code: number): boolean => code === 0x20 || code === 0x09;

function firstNonBlank(line: string, from: number): number {
  let i = from;
  while (i < line.length && isBlank(line.charCodeAt(i))) i++;
  return i;
}

function isNameStart(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || code === 0x5f || code === 0x3a;
}

function isNameChar(code: number): boolean {
  return isNameStart(code) || (code >= 0x30 && code <= 0x39);
}

/** End of a metric name (colons allowed) starting at `from`, or `from` when there is none. */
function metricNameEnd(line: string, from: number): number {
  if (from >= line.length || !isNameStart(line.charCodeAt(from))) return from;
  let i = from + 1;
  while (i < line.length && isNameChar(line.charCodeAt(i))) i++;
  return i;
}

function labelNameEnd(line: string, from: number): number {
  const code = line.charCodeAt(from);
  if (from >= line.length || code === 0x3a || !isNameStart(code)) return from;
  let i = from + 1;
  while (i < line.length && line.charCodeAt(i) !== 0x3a && isNameChar(line.charCodeAt(i))) i++;
  return i;
}

/** `# HELP name text` or `# TYPE name type`; other comments are ignored. Returns why it was skipped, if it was. */
function readComment(comment: string, families: Map<string, MetricFamily>): string | undefined {
  const match = /^#[ \t]+(HELP|TYPE)[ \t]+/.exec(comment);
  if (!match) return undefined;
  const nameStart = match[0].length;
  const nameEnd = metricNameEnd(comment, nameStart);
  if (nameEnd === nameStart || (nameEnd < comment.length && !isBlank(comment.charCodeAt(nameEnd)))) return `bad metric name in # ${match[1]}`;
  const name = comment.slice(nameStart, nameEnd);
  const rest = comment.slice(firstNonBlank(comment, nameEnd));
  const family = families.get(name) ?? { type: 'untyped', help: '' };
  if (match[1] === 'HELP') {
    family.help = unescapeHelp(rest);
  } else {
    const type = rest.trimEnd().toLowerCase();
    if (!metricTypes.has(type)) return `unknown metric type ${JSON.stringify(type)}`;
    family.type = type as MetricType;
  }
  families.set(name, family);
  return undefined;
}

/** HELP text escapes only `\\` and `\n`. */
function unescapeHelp(text: string): string {
  if (!text.includes('\\')) return text;
  return text.replace(/\\([\\n])/g, (_all, escaped: string) => (escaped === 'n' ? '\n' : '\\'));
}

const floatPattern = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const specialFloatPattern = /^([+-]?)(inf|infinity|nan)$/i;

/** A float as Go's strconv.ParseFloat reads the exposition's values: decimal, exponent, ±Inf, NaN. */
export function parseFloatValue(text: string): number | undefined {
  if (floatPattern.test(text)) return Number(text);
  const special = specialFloatPattern.exec(text);
  if (!special) return undefined;
  if (special[2]?.toLowerCase() === 'nan') return Number.NaN;
  return special[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
}

/** A sample line starting at `from` (first non-blank character), or why it was skipped. */
function readSample(line: string, from: number): ExpositionSample | string {
  const nameEnd = metricNameEnd(line, from);
  if (nameEnd === from) return 'no metric name';
  const name = line.slice(from, nameEnd);
  if (nameEnd < line.length && !isBlank(line.charCodeAt(nameEnd)) && line.charCodeAt(nameEnd) !== 0x7b) return 'bad character in metric name';
  let i = nameEnd;
  const labels: Record<string, string> = {};
  const brace = firstNonBlank(line, nameEnd);
  if (line.charCodeAt(brace) === 0x7b /* { */) {
    const end = readLabels(line, brace + 1, labels);
    if (typeof end === 'string') return end;
    i = end;
  }

  const valueStart = firstNonBlank(line, i);
  let valueEnd = valueStart;
  while (valueEnd < line.length && !isBlank(line.charCodeAt(valueEnd))) valueEnd++;
  if (valueStart === valueEnd) return 'no value';
  const value = parseFloatValue(line.slice(valueStart, valueEnd));
  if (value === undefined) return 'value is not a number';

  const sample: ExpositionSample = { name, labels, value };
  const timestampStart = firstNonBlank(line, valueEnd);
  if (timestampStart === line.length) return sample;
  // OpenMetrics exemplar after the value: `... 1 # {trace_id="x"} 0.5`.
  if (line.charCodeAt(timestampStart) === 0x23) return sample;
  let timestampEnd = timestampStart;
  while (timestampEnd < line.length && !isBlank(line.charCodeAt(timestampEnd))) timestampEnd++;
  const timestampText = line.slice(timestampStart, timestampEnd);
  const afterTimestamp = firstNonBlank(line, timestampEnd);
  if (afterTimestamp < line.length && line.charCodeAt(afterTimestamp) !== 0x23) return 'text after the timestamp';
  if (!/^-?\d{1,16}$/.test(timestampText)) return 'timestamp is not an integer number of milliseconds';
  sample.timestampMs = Number(timestampText);
  return sample;
}

/** Reads `name="value",...}` starting after `{`; returns the index after `}` or why the line was skipped. */
function readLabels(line: string, from: number, labels: Record<string, string>): number | string {
  let i = firstNonBlank(line, from);
  while (true) {
    if (i >= line.length) return 'unterminated label set';
    if (line.charCodeAt(i) === 0x7d /* } */) return i + 1;
    const nameEnd = labelNameEnd(line, i);
    if (nameEnd === i) return 'bad label name';
    const labelName = line.slice(i, nameEnd);
    i = firstNonBlank(line, nameEnd);
    if (line.charCodeAt(i) !== 0x3d /* = */) return `no = after label ${labelName}`;
    i = firstNonBlank(line, i + 1);
    if (line.charCodeAt(i) !== 0x22 /* " */) return `label ${labelName} value is not quoted`;
    const value = readQuoted(line, i + 1);
    if (value === undefined) return `label ${labelName} value is not terminated`;
    if (Object.hasOwn(labels, labelName)) return `label ${labelName} appears twice`;
    labels[labelName] = value.text;
    i = firstNonBlank(line, value.end);
    if (line.charCodeAt(i) === 0x2c /* , */) i = firstNonBlank(line, i + 1);
    else if (line.charCodeAt(i) !== 0x7d) return `no , or } after label ${labelName}`;
  }
}

/**
 * A label value from after its opening quote: `\\`, `\"` and `\n` are unescaped; any other
 * backslash is kept as written (as Prometheus does). Returns the index after the closing quote.
 */
function readQuoted(line: string, from: number): { text: string; end: number } | undefined {
  const close = line.indexOf('"', from);
  if (close === -1) return undefined;
  const backslash = line.indexOf('\\', from);
  if (backslash === -1 || backslash > close) return { text: line.slice(from, close), end: close + 1 };
  let text = '';
  for (let i = from; i < line.length; i++) {
    const char = line[i];
    if (char === '"') return { text, end: i + 1 };
    if (char !== '\\') {
      text += char;
      continue;
    }
    const next = line[++i];
    if (next === undefined) return undefined;
    text += next === 'n' ? '\n' : next === '"' || next === '\\' ? next : `\\${next}`;
  }
  return undefined;
}
