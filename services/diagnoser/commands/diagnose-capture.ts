/**
 * `vigil diagnose DIR`: a capture diagnosed with the same rules and the same reports as live. The
 * capture becomes one diagnosis request per scenario (every scenario unless one is asked for) whose
 * scene is every sample of both copies and the kernel events of dmesg.txt, with the Kubernetes
 * context of DIR/k8s; reports are ranked strongest first.
 */
import { basename, resolve } from 'node:path';
import { deterministicId } from '../../../src/codec/ids.js';
import { scenarioSymbols, type DiagnosisReport, type DiagnosisRequest, type Entity, type Scenario } from '../../../src/codec/records.generated.js';
import type { CollectorConfig } from '../../collector/collector-config.js';
import type { KubernetesContext } from '../core/kubernetes-context.js';
import { kubernetesContextFromCapture } from '../kubernetes/capture-context.js';
import { diagnoseWithKubernetes } from '../kubernetes/diagnose-with-kubernetes.js';
import { readCaptureScene, type CaptureScene } from './capture-scene.js';

/** Root-cause codes that accuse nothing. */
export const noCauseCodes: ReadonlySet<string> = new Set(['NO_ROOT_CAUSE', 'UNKNOWN']);

export interface CaptureDiagnosisOptions {
  /** One scenario; every scenario when undefined. */
  scenario?: Scenario;
  /** The pod to read the Kubernetes context of (namespace/name); the capture's node otherwise. */
  pod?: { namespace: string; name: string };
  cluster: string;
}

export interface CaptureDiagnosis {
  /**
   * Strongest first. With every scenario: one report per root cause found (the strongest when two
   * scenarios find the same), or, when none is found, every scenario's no-cause report (what was checked).
   */
  reports: DiagnosisReport[];
  /** Every scenario's report, in scenario order. */
  all: DiagnosisReport[];
  scene: CaptureScene;
  kubernetes: KubernetesContext;
}

/** Strongest first: found causes by confidence, then the no-cause reports. */
export function rankReports(reports: readonly DiagnosisReport[]): DiagnosisReport[] {
  const found = reports.filter((report) => !noCauseCodes.has(report.rootCause.code)).sort((a, b) => b.confidence - a.confidence);
  const byCode = new Map<string, DiagnosisReport>();
  for (const report of found) if (!byCode.has(report.rootCause.code)) byCode.set(report.rootCause.code, report);
  if (byCode.size > 0) return [...byCode.values()];
  return reports.filter((report) => noCauseCodes.has(report.rootCause.code)).sort((a, b) => Number(b.rootCause.code === 'NO_ROOT_CAUSE') - Number(a.rootCause.code === 'NO_ROOT_CAUSE') || b.confidence - a.confidence);
}

export async function diagnoseCapture(config: CollectorConfig, directory: string, options: CaptureDiagnosisOptions): Promise<CaptureDiagnosis> {
  const scene = await readCaptureScene(config, directory);
  const entity: Entity = { cluster: options.cluster, node: scene.host, namespace: options.pod?.namespace ?? null, pod: options.pod?.name ?? null, container: null };
  const kubernetes = await kubernetesContextFromCapture(directory, { node: entity.node, namespace: entity.namespace, pod: entity.pod });
  const scenarios: readonly Scenario[] = options.scenario ? [options.scenario] : scenarioSymbols;
  const captureId = `${basename(resolve(directory))}:${scene.copies.map((copy) => copy.timestampMs).join(',')}`;
  const all = scenarios.map((scenario) => {
    const request: DiagnosisRequest = {
      id: deterministicId('capture', captureId, entity.namespace, entity.pod, scenario),
      anomalyIds: [],
      entity,
      scenario,
      // No anomaly asked: the capture is diagnosed as a whole.
      metric: '',
      requestedAtMs: scene.latestMs,
      scene: scene.samples,
    };
    return diagnoseWithKubernetes(request, kubernetes, scene.missing);
  });
  return { reports: options.scenario ? all : rankReports(all), all, scene, kubernetes };
}
