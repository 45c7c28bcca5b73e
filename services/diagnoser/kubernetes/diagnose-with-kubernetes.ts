/** diagnose() with the Kubernetes context of the request's entity: the one call the service and `vigil diagnose DIR` share. */
import type { DiagnosisReport, DiagnosisRequest } from '../../../src/codec/records.generated.js';
import { diagnose } from '../core/diagnose.js';
import type { KubernetesContext } from '../core/kubernetes-context.js';

/** The report of `request` read with `kubernetes`; `missing` (what the scene's source lacked, e.g. a capture's absent files) joins its missingEvidence first. */
export function diagnoseWithKubernetes(request: DiagnosisRequest, kubernetes: KubernetesContext | undefined, missing: readonly string[] = []): DiagnosisReport {
  const report = diagnose(request, { kubernetes });
  if (missing.length === 0) return report;
  return { ...report, missingEvidence: [...new Set([...missing, ...report.missingEvidence])] };
}
