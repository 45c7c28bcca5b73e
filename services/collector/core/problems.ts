/**
 * Where a parser reports input it skipped. Parsers never throw on bad input (truncated files,
 * missing fields, unknown keys, garbage): they skip what they cannot read, report one line per
 * problem here, and return what they could read. The collector counts reports per source on
 * /metrics (vigil_collector_parse_errors_total{source}) and logs each distinct problem once.
 */
export interface Problems {
  report(problem: string): void;
}

/** A Problems that keeps every report, for tests and for one collect cycle. */
export interface ProblemList extends Problems {
  readonly list: string[];
}

export function problemList(): ProblemList {
  const list: string[] = [];
  return { list, report: (problem) => void list.push(problem) };
}

/** Parses a decimal field; reports and returns undefined when it is not a finite number. */
export function numberOrReport(text: string | undefined, what: string, problems: Problems): number | undefined {
  const value = text === undefined || text === '' ? Number.NaN : Number(text);
  if (Number.isNaN(value)) {
    problems.report(`${what}: expected a number, got ${JSON.stringify(text?.slice(0, 40))}`);
    return undefined;
  }
  return value;
}
