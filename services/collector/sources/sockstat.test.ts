import { describe, expect, it } from 'vitest';
import { problemList } from '../core/problems.js';
import { createHostFiles } from '../host-files.js';
import { fixturePath, nodeExporterOracle, seriesOf } from '../testing/fixtures.js';
import { sockstatSource } from './sockstat.js';

async function collect(procRoot: string, pageSizeBytes?: number) {
  const problems = problemList();
  const batches = await sockstatSource({ pageSizeBytes }).collect({ files: createHostFiles({ procRoot, sysRoot: '/nonexistent' }), problems, nowMs: 0 });
  return { batches, problems: problems.list, series: seriesOf(batches.flatMap((batch) => batch.samples)) };
}

describe('proc.sockstat', () => {
  it("equals node_exporter's node_sockstat_* series on its fixture tree (sockstat and sockstat6)", async () => {
    const { batches, problems, series } = await collect(fixturePath('node_exporter', 'proc'), 4096);
    expect(problems).toEqual([]);
    expect(batches.map((batch) => batch.source)).toEqual(['proc.sockstat']);
    expect(series).toEqual(nodeExporterOracle((name) => name.startsWith('node_sockstat_')));
  });

  it('is absent, without a problem, where neither file exists', async () => {
    expect(await collect(fixturePath('no-such-tree'), 4096)).toEqual({ batches: [], problems: [], series: new Map() });
  });

  it("reads this machine, counting mem in this kernel's pages", async () => {
    const { problems, series } = await collect('/proc');
    expect(problems).toEqual([]);
    const pages = series.get('node_sockstat_TCP_mem') ?? Number.NaN;
    const bytes = series.get('node_sockstat_TCP_mem_bytes') ?? Number.NaN;
    expect(pages === 0 ? bytes : bytes / pages).toBeOneOf(pages === 0 ? [0] : [4096, 16384, 65536]);
  });
});
