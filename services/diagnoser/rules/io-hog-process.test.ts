import { describe, expect, it } from 'vitest';
import { ioHogProcess } from './io-hog-process.js';
import { at, evidenceOf, healthyScene, MiB, processSamples, T0 } from './testdata/field-scenes.js';

function hogScene(pressure = 0.35) {
  return [
    at(T0 + 5_000, 'node_pressure_io_waiting_avg10_ratio', pressure),
    at(T0, 'node_disk_io_time_seconds_total', 1000, { device: 'sda' }), at(T0 + 5_000, 'node_disk_io_time_seconds_total', 1000 + 5 * (pressure > 0.1 ? 0.97 : 0.2), { device: 'sda' }),
    ...processSamples(T0 + 5_000, { pid: 6120, comm: 'mongodump', state: 'D', readBps: 140 * MiB, writeBps: 2 * MiB }),
    ...processSamples(T0 + 5_000, { pid: 2480, comm: 'postgres', state: 'D', writeBps: 6 * MiB }),
  ];
}

describe('ioHogProcess', () => {
  it('names the process doing most of the I/O on a busy device', () => {
    const finding = ioHogProcess(evidenceOf(hogScene(), 'IO'))!;
    expect(finding.cause).toBe('IO_HOG_PROCESS');
    expect(finding.summary).toBe('mongodump (pid 6120) does 142.0 MiB/s of storage I/O (96 % of all process I/O) while sda is 97 % busy');
    expect(finding.suggestions[1]!.command).toBe('ionice -c 3 -p 6120');
  });

  it('needs I/O pressure: a big reader on an idle disk is fine', () => {
    expect(ioHogProcess(evidenceOf(hogScene(0.01)))).toBeUndefined();
    expect(ioHogProcess(evidenceOf(healthyScene()))).toBeUndefined();
  });
});
