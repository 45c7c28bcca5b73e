import { describe, expect, it } from 'vitest';
import { problemList } from '../core/problems.js';
import { mutations } from '../testing/fuzz.js';
import { nodeExporterOracle, readFixture, seriesKey } from '../testing/fixtures.js';
import { parseExposition, type ExpositionSample } from './parse-exposition.js';

const parse = (text: string) => {
  const problems = problemList();
  return { ...parseExposition(text, problems), problems: problems.list };
};
const find = (samples: ExpositionSample[], name: string, labels: Record<string, string> = {}): ExpositionSample | undefined =>
  samples.find((s) => s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value));

describe('parseExposition on real exporters', () => {
  // Sample lines and `# TYPE` lines counted with grep; timestamps are the samples written with one.
  it.each([
    ['kubelet /metrics/cadvisor (Kubernetes 1.35)', 'nri-kubernetes-1_35/kubelet/metrics/cadvisor', 4621, 78, 4246],
    ['kube-state-metrics', 'nri-kubernetes-1_35/ksm/metrics', 1698, 231, 0],
    ['cAdvisor golden container metrics', 'cadvisor/prometheus_metrics', 287, 107, 276],
    ['cAdvisor golden machine metrics', 'cadvisor/prometheus_machine_metrics', 66, 17, 65],
    ['cAdvisor golden perf metrics', 'cadvisor/prometheus_metrics_perf_aggregated', 17, 13, 10],
    ['node-problem-detector', 'node-problem-detector/sample_metrics.txt', 31, 6, 0],
    ['OpenShift federation (no final newline)', 'openshift-insights/metrics', 125, 12, 125],
  ])('%s: every sample line, every family, no problem', (_name, file, sampleCount, familyCount, timestamped) => {
    const { samples, families, problems } = parse(readFixture('exposition', file));
    expect(problems).toEqual([]);
    expect(samples).toHaveLength(sampleCount);
    expect(families.size).toBe(familyCount);
    expect(samples.filter((s) => s.timestampMs !== undefined)).toHaveLength(timestamped);
  });

  it("reads node_exporter e2e-output.txt exactly as the collector tests read it (3,027 series) and its family types", () => {
    const { samples, families, problems } = parse(readFixture('node_exporter', 'e2e-output.txt'));
    expect(problems).toEqual([]);
    const series = new Map(samples.map((s) => [seriesKey(s.name, s.labels), s.value]));
    expect(series.size).toBe(3027);
    // The oracle's JSON-based label reader cannot read node_dmi_info, whose product_version holds a raw control byte (0x1c).
    expect(new Map([...series].filter(([key]) => !key.startsWith('node_dmi_info{')))).toEqual(nodeExporterOracle((name) => name !== 'node_dmi_info'));
    expect(find(samples, 'node_dmi_info')?.labels.product_version).toBe('\uFFFD\u001c[\uFFFD');
    expect(series.get('node_memory_MemTotal_bytes')).toBe(3.831959552e9);
    expect(series.get('node_load1')).toBe(0.21);
    expect(families.get('go_gc_duration_seconds')?.type).toBe('summary'); // upstream kept its HELP/TYPE, not its samples
    expect(families.get('node_cpu_seconds_total')).toEqual({ type: 'counter', help: 'Seconds the CPUs spent in each mode.' });
  });

  it('two exporters, one number: cAdvisor machine_memory_bytes equals kube-state-metrics node memory capacity', () => {
    const cadvisor = parse(readFixture('exposition', 'nri-kubernetes-1_35/kubelet/metrics/cadvisor')).samples;
    const ksm = parse(readFixture('exposition', 'nri-kubernetes-1_35/ksm/metrics')).samples;
    const machineMemory = find(cadvisor, 'machine_memory_bytes');
    expect(machineMemory).toEqual({
      name: 'machine_memory_bytes',
      labels: { boot_id: '3f08706e-fbd4-4afe-ab2e-cb273a74d98b', machine_id: 'e366bd4b77b9d6be2d67552f69964f40', system_uuid: 'e366bd4b77b9d6be2d67552f69964f40' },
      value: 8.216887296e9,
    });
    expect(find(ksm, 'kube_node_status_capacity', { node: 'datagen-1-35', resource: 'memory', unit: 'byte' })?.value).toBe(machineMemory?.value);
  });

  it('keeps the values and timestamps a user would check', () => {
    const cadvisor = parse(readFixture('exposition', 'nri-kubernetes-1_35/kubelet/metrics/cadvisor'));
    expect(cadvisor.samples[0]?.labels).toMatchObject({ kernelVersion: '6.12.54-linuxkit', osVersion: 'Debian GNU/Linux 12 (bookworm)' });
    expect(find(cadvisor.samples, 'container_memory_working_set_bytes', { container: 'kube-apiserver', pod: 'kube-apiserver-datagen-1-35' }))
      .toMatchObject({ value: 2.21794304e8, timestampMs: 1782468869068 });
    expect(find(cadvisor.samples, 'container_cpu_cfs_throttled_periods_total', { container: '', pod: 'e2e-daemonset-kb65b' }))
      .toMatchObject({ value: 391, timestampMs: 1782468873981 });
    expect(cadvisor.families.get('container_cpu_cfs_throttled_periods_total')).toEqual({ type: 'counter', help: 'Number of throttled period intervals.' });

    const ksm = parse(readFixture('exposition', 'nri-kubernetes-1_35/ksm/metrics')).samples;
    expect(find(ksm, 'kube_node_status_condition', { condition: 'MemoryPressure', status: 'false' })?.value).toBe(1);
    expect(find(ksm, 'kube_node_status_condition', { condition: 'MemoryPressure', status: 'true' })?.value).toBe(0);
    expect(find(ksm, 'kube_pod_container_status_restarts_total', { pod: 'e2e-container-creating', container: 'alpine' })?.value).toBe(2);

    const npd = parse(readFixture('exposition', 'node-problem-detector/sample_metrics.txt')).samples;
    expect(find(npd, 'problem_counter', { reason: 'OOMKilling' })?.value).toBe(0);
    expect(find(npd, 'problem_counter', { reason: 'DockerStart' })?.value).toBe(1);
    expect(find(npd, 'problem_gauge', { reason: 'DockerHung', type: 'KernelDeadlock' })?.value).toBe(0);

    const golden = parse(readFixture('exposition', 'cadvisor/prometheus_metrics')).samples;
    expect(find(golden, 'container_cpu_cfs_throttled_periods_total', { id: 'testcontainer', zone_name: 'hello' }))
      .toMatchObject({ value: 18, timestampMs: 1395066363000 });

    const openshift = parse(readFixture('exposition', 'openshift-insights/metrics'));
    expect(openshift.samples[0]).toMatchObject({ name: 'cluster_installer', value: 1, timestampMs: 1592829361218 });
    expect(openshift.samples.at(-1)).toMatchObject({ labels: { pod: 'node-exporter-56fn6' }, value: 1, timestampMs: 1620977240435 });
    expect(openshift.families.get('namespace:container_cpu_usage:sum')?.type).toBe('untyped');
  });
});

describe('parseExposition on the format details', () => {
  it('unescapes \\\\, \\" and \\n in label values and \\\\, \\n in HELP (the spec example)', () => {
    const { samples, families, problems } = parse([
      '# HELP msdos_file_access_time_seconds Last access,\\nin seconds \\\\ "quoted"',
      'msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9',
      'odd{escape="a\\tb"} 1',
      '',
    ].join('\n'));
    expect(problems).toEqual([]);
    expect(samples[0]).toEqual({ name: 'msdos_file_access_time_seconds', labels: { path: 'C:\\DIR\\FILE.TXT', error: 'Cannot find file:\n"FILE.TXT"' }, value: 1.458255915e9 });
    expect(samples[1]?.labels.escape).toBe('a\\tb');
    expect(families.get('msdos_file_access_time_seconds')).toEqual({ type: 'untyped', help: 'Last access,\nin seconds \\ "quoted"' });
  });

  it('reads NaN, +Inf, -Inf, exponents, negative timestamps, blanks and tabs, a trailing comma, CRLF', () => {
    const { samples, problems } = parse([
      'a NaN',
      'b +Inf',
      'c{x="1",} -Inf 1395066363000',
      'something_weird{problem="division by zero"} +Inf -3982045',
      '  d \t {  x = "y" , z="w"}\t-1.5E-3  ',
      'e{} 7\r',
      'metric_without_timestamp_and_labels 12.47',
    ].join('\n'));
    expect(problems).toEqual([]);
    expect(samples.map((s) => [s.name, s.labels, s.value, s.timestampMs])).toEqual([
      ['a', {}, Number.NaN, undefined],
      ['b', {}, Number.POSITIVE_INFINITY, undefined],
      ['c', { x: '1' }, Number.NEGATIVE_INFINITY, 1395066363000],
      ['something_weird', { problem: 'division by zero' }, Number.POSITIVE_INFINITY, -3982045],
      ['d', { x: 'y', z: 'w' }, -0.0015, undefined],
      ['e', {}, 7, undefined],
      ['metric_without_timestamp_and_labels', {}, 12.47, undefined],
    ]);
  });

  it('keeps histogram and summary parts as plain series, each label set apart', () => {
    const { samples, families } = parse([
      '# HELP http_request_duration_seconds A histogram of the request duration.',
      '# TYPE http_request_duration_seconds histogram',
      'http_request_duration_seconds_bucket{verb="GET",le="0.05"} 24054',
      'http_request_duration_seconds_bucket{verb="GET",le="+Inf"} 144320',
      'http_request_duration_seconds_sum{verb="GET"} 53423',
      'http_request_duration_seconds_count{verb="GET"} 144320',
      'http_request_duration_seconds_bucket{verb="PUT",le="0.05"} 3',
      'http_request_duration_seconds_bucket{verb="PUT",le="+Inf"} 4',
      'http_request_duration_seconds_sum{verb="PUT"} 0.5',
      'http_request_duration_seconds_count{verb="PUT"} 4',
      '# TYPE rpc_duration_seconds summary',
      'rpc_duration_seconds{quantile="0.99"} 76656',
      'rpc_duration_seconds_sum 1.7560473e+07',
      'rpc_duration_seconds_count 2693',
      '',
    ].join('\n'));
    expect(families.get('http_request_duration_seconds')).toEqual({ type: 'histogram', help: 'A histogram of the request duration.' });
    expect(families.get('rpc_duration_seconds')?.type).toBe('summary');
    expect(samples.map((s) => seriesKey(s.name, s.labels) + ' ' + s.value)).toEqual([
      'http_request_duration_seconds_bucket{le="0.05",verb="GET"} 24054',
      'http_request_duration_seconds_bucket{le="+Inf",verb="GET"} 144320',
      'http_request_duration_seconds_sum{verb="GET"} 53423',
      'http_request_duration_seconds_count{verb="GET"} 144320',
      'http_request_duration_seconds_bucket{le="0.05",verb="PUT"} 3',
      'http_request_duration_seconds_bucket{le="+Inf",verb="PUT"} 4',
      'http_request_duration_seconds_sum{verb="PUT"} 0.5',
      'http_request_duration_seconds_count{verb="PUT"} 4',
      'rpc_duration_seconds{quantile="0.99"} 76656',
      'rpc_duration_seconds_sum 17560473',
      'rpc_duration_seconds_count 2693',
    ]);
  });

  it('reads OpenMetrics text: stops at # EOF, ignores # UNIT and exemplars', () => {
    const { samples, families, problems } = parse([
      '# TYPE foo_seconds counter',
      '# UNIT foo_seconds seconds',
      'foo_seconds_total{a="b"} 17 # {trace_id="abc"} 0.67',
      '# TYPE bar info',
      'bar_info{version="1"} 1',
      '# EOF',
      'after_eof 1',
    ].join('\n'));
    expect(problems).toEqual([]);
    expect(samples.map((s) => [s.name, s.value])).toEqual([['foo_seconds_total', 17], ['bar_info', 1]]);
    expect(families.get('bar')?.type).toBe('info');
  });

  it('skips and reports bad lines, one line each, and keeps the rest', () => {
    const { samples, problems } = parse([
      'good_before 1',
      'unquoted{x=y} 2',
      'no_value{x="y"}',
      'not_a_number 12abc',
      'unterminated{x="y} 3',
      'twice{x="1",x="2"} 4',
      '1starts_with_digit 5',
      'ts_not_int 6 1.5',
      'extra 7 8 9',
      '# TYPE weird_type bogus',
      'good_after{a="b"} 10',
    ].join('\n'));
    expect(samples.map((s) => s.name)).toEqual(['good_before', 'good_after']);
    expect(problems).toEqual([
      'exposition line 2: label x value is not quoted: "unquoted{x=y} 2"',
      'exposition line 3: no value: "no_value{x=\\"y\\"}"',
      'exposition line 4: value is not a number: "not_a_number 12abc"',
      'exposition line 5: label x value is not terminated: "unterminated{x=\\"y} 3"',
      'exposition line 6: label x appears twice: "twice{x=\\"1\\",x=\\"2\\"} 4"',
      'exposition line 7: no metric name: "1starts_with_digit 5"',
      'exposition line 8: timestamp is not an integer number of milliseconds: "ts_not_int 6 1.5"',
      'exposition line 9: text after the timestamp: "extra 7 8 9"',
      'exposition line 10: unknown metric type "bogus": "# TYPE weird_type bogus"',
    ]);
  });

  it('reports at most ten bad lines one by one, then how many more', () => {
    const { samples, problems } = parse(Array.from({ length: 25 }, (_, i) => `bad${i} value`).join('\n'));
    expect(samples).toEqual([]);
    expect(problems).toHaveLength(11);
    expect(problems.at(-1)).toBe('exposition: 15 more unreadable lines skipped');
  });

  it('never throws on damaged real bodies (seeded truncations, byte flips, garbage)', () => {
    const bodies = [
      readFixture('exposition', 'nri-kubernetes-1_35/ksm/metrics').slice(0, 20_000),
      readFixture('exposition', 'cadvisor/prometheus_metrics').slice(0, 20_000),
      readFixture('node_exporter', 'e2e-output.txt').slice(0, 20_000),
      readFixture('exposition', 'openshift-insights/metrics'),
    ];
    let cases = 0;
    bodies.forEach((body, index) => {
      for (const damaged of mutations(body, 1000 + index, 100)) {
        const { samples } = parse(damaged);
        for (const sample of samples) expect(typeof sample.value).toBe('number');
        cases++;
      }
    });
    expect(cases).toBe(400);
  });
});
