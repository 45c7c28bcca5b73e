/**
 * Finds a diagnosis report by id on the diagnosis.reports topic: the bus is the report store. Reads
 * the topic from its oldest retained record in a throwaway consumer group and stops at the first
 * report with the id (or request id), or once nothing new arrived for `idleMs`.
 */
import type { Bus } from '../../../src/bus/bus.js';
import type { DiagnosisReport } from '../../../src/codec/records.generated.js';
import { singleObjectWireFormat, type WireFormat } from '../../../src/codec/wire-format.js';

/** `wire` reads either framing; with a registry configured it can look up ids it has not seen. */
export async function findReportOnBus(bus: Bus, topic: string, id: string, idleMs: number, wire: WireFormat = singleObjectWireFormat): Promise<DiagnosisReport | undefined> {
  const codec = wire.codec('diagnosis.reports');
  let found: DiagnosisReport | undefined;
  let lastActivity = Date.now();
  const subscription = await bus.subscribe({
    topic,
    group: `vigil-explain-${process.pid}-${Date.now()}`,
    fromBeginning: true,
    handler: async (record) => {
      lastActivity = Date.now();
      if (found || !record.value) return;
      try {
        const report = await codec.decode(record.value);
        if (report.id === id || report.requestId === id) found = report;
      } catch {
        // not a report of this schema: the DLQ's business, not ours
      }
    },
  });
  try {
    while (!found && Date.now() - lastActivity < idleMs) await new Promise((resolve) => setTimeout(resolve, 100));
  } finally {
    await subscription.close({ commit: false });
  }
  return found;
}
