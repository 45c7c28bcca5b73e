/** `vigil diagnose DIR` and `vigil explain`: the diagnoser's commands. */
import { readFile, stat } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { scenarioSymbols, type DiagnosisReport, type Scenario } from '../../../src/codec/records.generated.js';
import { createBusFromConfig } from '../../../src/bus/create-bus.js';
import { wireFormatFromConfig } from '../../../src/codec/wire-format.js';
import { commonConfigSchema, loadConfig } from '../../../src/runtime/config.js';
import { collectorConfigSchema } from '../../collector/collector-config.js';
import { diagnoseCapture, noCauseCodes } from './diagnose-capture.js';
import { explainReport, renderReports } from './render-report.js';
import { findReportOnBus } from './report-lookup.js';

function scenarioOption(value: string): Scenario {
  const upper = value.toUpperCase();
  if (!(scenarioSymbols as readonly string[]).includes(upper)) throw new InvalidArgumentError(`expected one of ${scenarioSymbols.join(', ')}`);
  return upper as Scenario;
}

function podOption(value: string): { namespace: string; name: string } {
  const match = /^([^/\s]+)\/([^/\s]+)$/.exec(value);
  if (!match) throw new InvalidArgumentError('expected NAMESPACE/POD');
  return { namespace: match[1]!, name: match[2]! };
}

function isReport(value: unknown): value is DiagnosisReport {
  if (typeof value !== 'object' || value === null) return false;
  const report = value as Partial<DiagnosisReport>;
  return typeof report.id === 'string' && typeof report.rootCause?.code === 'string' && Array.isArray(report.evidence);
}

/**
 * The reports in a file: a JSON report, a JSON array of reports (`vigil diagnose DIR --json`), or
 * JSON lines (`vigil tail diagnosis.reports`); lines that are not reports are skipped.
 */
export function reportsIn(text: string): DiagnosisReport[] {
  const trimmed = text.trim();
  try {
    const parsed = JSON.parse(trimmed) as unknown;
    const values = Array.isArray(parsed) ? parsed : [parsed];
    return values.filter(isReport);
  } catch {
    const reports: DiagnosisReport[] = [];
    for (const line of trimmed.split('\n')) {
      try {
        const parsed = JSON.parse(line) as unknown;
        if (isReport(parsed)) reports.push(parsed);
      } catch {
        // not JSON: another tool's output line
      }
    }
    return reports;
  }
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then((info) => info.isFile(), () => false);
}

export function registerDiagnoserCommands(program: Command): void {
  program
    .command('diagnose')
    .argument('<dir>', 'a capture directory written by vigil capture --out DIR')
    .description('diagnose a capture with the live rules: DIR/0 and DIR/1 (the /proc and /sys copies), DIR/dmesg.txt (kernel events), DIR/k8s (the cluster\'s objects); missing files give a partial report that lists them')
    .option('--json', 'print the DiagnosisReport records as a JSON array, strongest first (what vigil explain reads)', false)
    .option('--scenario <scenario>', `one scenario: ${scenarioSymbols.join(', ')} (default: every scenario, the strongest findings first)`, scenarioOption)
    .option('--pod <namespace/name>', 'read the Kubernetes context of this pod from DIR/k8s (default: the captured node\'s)', podOption)
    .action(async (directory: string, options: { json: boolean; scenario?: Scenario; pod?: { namespace: string; name: string } }) => {
      const config = loadConfig(collectorConfigSchema);
      const result = await diagnoseCapture(config, directory, { scenario: options.scenario, pod: options.pod, cluster: config.VIGIL_CLUSTER });
      for (const problem of result.scene.problems) process.stderr.write(`vigil: ${problem}\n`);
      process.stdout.write(options.json ? `${JSON.stringify(result.reports, null, 2)}\n` : renderReports(result.reports, noCauseCodes));
    });

  program
    .command('explain')
    .argument('<report>', 'a report id (looked up on the diagnosis.reports topic of VIGIL_BUS=kafka|rdkafka), a report JSON file (vigil diagnose DIR --json > FILE.json, or JSON lines from vigil tail diagnosis.reports), or an id with --from FILE')
    .description('the evidence chain behind each finding of a report: the facts measured, the conclusion, the Kubernetes context used, what was not seen, the weaker causes')
    .option('--from <file>', 'the file to look the report id up in')
    .action(async (argument: string, options: { from?: string }) => {
      const file = options.from ?? argument;
      if (!options.from && !(await isFile(file))) {
        // Not a file: a report id, looked up on the diagnosis.reports topic.
        const config = loadConfig(commonConfigSchema);
        if (config.VIGIL_BUS === 'memory') {
          throw new Error(`${argument}: not a file, and VIGIL_BUS=memory keeps no reports after its process ends: set VIGIL_BUS=kafka (KAFKA_BROKERS) to look the id up on ${config.VIGIL_TOPIC_PREFIX}diagnosis.reports, or pass a report JSON file`);
        }
        const bus = createBusFromConfig(config, { clientId: 'vigil-explain' });
        await bus.connect();
        try {
          const report = await findReportOnBus(bus, `${config.VIGIL_TOPIC_PREFIX}diagnosis.reports`, argument, 5_000, wireFormatFromConfig(config));
          if (!report) throw new Error(`no report with id ${argument} on ${config.VIGIL_TOPIC_PREFIX}diagnosis.reports`);
          process.stdout.write(explainReport(report));
        } finally {
          await bus.close();
        }
        return;
      }
      if (!(await isFile(file))) throw new Error(`${file}: no such file`);
      const reports = reportsIn(await readFile(file, 'utf8'));
      const chosen = options.from ? reports.filter((report) => report.id === argument || report.requestId === argument) : reports;
      if (chosen.length === 0) throw new Error(options.from ? `${file}: no report with id ${argument}` : `${file}: no diagnosis report in it`);
      process.stdout.write(chosen.map(explainReport).join('\n'));
    });
}
