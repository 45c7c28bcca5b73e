import type { DiagnosisReport, DiagnosisRequest, Fact } from '../../../src/codec/records.generated.js';
import { deterministicId } from '../../../src/codec/ids.js';
import { buildEvidence, isFinding, type Evidence, type Finding } from './evidence.js';
import type { KubernetesContext } from './kubernetes-context.js';
import { fact } from './format.js';
import { rules as ruleIndex, type RuleEntry } from '../rules/index.js';

/** The cause of a report in which no rule found anything: what was checked is in its facts, what could not be in missingEvidence. */
export const NO_ROOT_CAUSE = 'NO_ROOT_CAUSE';

const severityRank = { INFO: 0, WARNING: 1, CRITICAL: 2 } as const;

export interface DiagnoseOptions {
  /** The Kubernetes API's view of the entity (the adapter's cache, or a capture's k8s/). */
  kubernetes?: KubernetesContext;
  /** The rule library (rules/index.ts by default). */
  rules?: readonly RuleEntry[];
}

/** `memoryLeakProcess` → `memory-leak-process`: how a rule is named in "what was checked". */
function ruleName(entry: RuleEntry): string {
  return (entry.rule.name || 'anonymous-rule').replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

interface Ran {
  entry: RuleEntry;
  finding?: Finding;
  missing: string[];
}

function run(entries: readonly RuleEntry[], evidence: Evidence): Ran[] {
  return entries.map((entry) => {
    const outcome = entry.rule(evidence);
    if (isFinding(outcome)) return { entry, finding: outcome, missing: outcome.missing ?? [] };
    return { entry, missing: outcome?.missing ?? [] };
  });
}

/** Strongest first: confidence, then severity, then library order (stable sort). */
function rank(findings: Finding[]): Finding[] {
  return [...findings].sort((a, b) => b.confidence - a.confidence || severityRank[b.severity] - severityRank[a.severity]);
}

/** What the report could not see of the cluster. */
function kubernetesMissing(kubernetes: KubernetesContext | undefined): string[] {
  if (!kubernetes) return ['Kubernetes: no cluster configured or reachable (pod spec, container statuses, events, node conditions not read)'];
  return kubernetes.missing.map((what) => (what.startsWith('Kubernetes') ? what : `Kubernetes: ${what}`));
}

/** The report's `kubernetes` map: the context the diagnosis used, flat (pod, owner, limits, restarts, last termination, node conditions). */
export function kubernetesMap(kubernetes: KubernetesContext | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const pod = kubernetes?.pod;
  if (pod) {
    out['pod'] = `${pod.namespace}/${pod.name}`;
    if (pod.ownerKind && pod.ownerName) out['owner'] = `${pod.ownerKind}/${pod.ownerName}`;
    if (pod.qosClass) out['qosClass'] = pod.qosClass;
    if (pod.phase) out['phase'] = pod.phase;
    if (pod.reason) out['reason'] = pod.message ? `${pod.reason}: ${pod.message}` : pod.reason;
    for (const container of pod.containers) {
      const quantities = (q: { cpu?: string; memory?: string }) => Object.entries(q).filter(([, v]) => v).map(([k, v]) => `${k}=${v}`).join(' ');
      if (quantities(container.limits)) out[`container.${container.name}.limits`] = quantities(container.limits);
      if (quantities(container.requests)) out[`container.${container.name}.requests`] = quantities(container.requests);
    }
    for (const status of pod.statuses) {
      out[`container.${status.name}.restarts`] = String(status.restartCount);
      out[`container.${status.name}.state`] = [status.state.kind, status.state.reason, status.state.exitCode !== undefined ? `exit ${status.state.exitCode}` : undefined].filter(Boolean).join(' ');
      if (status.lastState) {
        const at = status.lastState.finishedAtMs !== undefined ? ` at ${new Date(status.lastState.finishedAtMs).toISOString()}` : '';
        out[`container.${status.name}.lastTermination`] = `${status.lastState.reason ?? 'terminated'}${status.lastState.exitCode !== undefined ? ` exit ${status.lastState.exitCode}` : ''}${at}`;
      }
    }
  }
  if (kubernetes?.node) {
    out['node'] = kubernetes.node.name;
    const conditions = kubernetes.node.conditions.map((c) => `${c.type}=${c.status}`).join(',');
    if (conditions) out['node.conditions'] = conditions;
  }
  if (kubernetes && kubernetes.events.length > 0) {
    out['events'] = kubernetes.events.slice(0, 5).map((e) => `${e.type} ${e.reason} ×${e.count} ${e.object}`).join('; ');
  }
  return out;
}

function noRootCause(evidence: Evidence, ran: Ran[]): Finding {
  const where = `${evidence.entity.cluster}/${evidence.entity.node ?? '-'}`;
  const checked = ran.map((r) => ruleName(r.entry));
  const why =
    evidence.sampleCount === 0
      ? `the scene of this ${evidence.scenario} request on ${where} is empty`
      : ran.length === 0
        ? `there are no rules for scenario ${evidence.scenario} yet (${where})`
        : `${ran.length} ${evidence.scenario} rules checked ${evidence.sampleCount} scene samples from ${where}, none found a cause`;
  const facts: Fact[] = [
    fact('scene samples', evidence.sampleCount, 'samples', null),
    fact('processes in the scene', evidence.scene.processes().length, 'processes', null),
    fact('cgroups in the scene', evidence.scene.cgroups().length, 'cgroups', null),
    fact('snapshots in the scene', evidence.scene.times.length, 'snapshots', null),
    ...ran.map((r) => fact(`checked ${ruleName(r.entry)}`, 0, 'findings', r.missing.length > 0 ? `could not fully check: ${r.missing.join('; ')}` : 'nothing found')),
  ];
  return {
    cause: NO_ROOT_CAUSE,
    summary: `no root cause found: ${why}`,
    confidence: evidence.sampleCount === 0 || ran.length === 0 ? 0.1 : 0.5,
    severity: 'INFO',
    facts: checked.length > 0 || evidence.sampleCount > 0 ? facts : facts.slice(0, 1),
    suggestions: [],
  };
}

/**
 * Answers a diagnosis request: runs every rule registered for its scenario (fallback rules only when
 * the others found nothing), ranks the findings by confidence, reports the strongest as the root
 * cause and the others as `findings`, and gathers what the rules could not see. NO_ROOT_CAUSE, with
 * what was checked, when nothing applies. Deterministic: no clock, no I/O.
 */
export function diagnose(request: DiagnosisRequest, options: DiagnoseOptions = {}): DiagnosisReport {
  const evidence = buildEvidence(request, options.kubernetes);
  const entries = (options.rules ?? ruleIndex).filter((entry) => entry.scenarios.includes(request.scenario));
  let ran = run(entries.filter((entry) => !entry.fallback), evidence);
  if (!ran.some((r) => r.finding)) ran = [...ran, ...run(entries.filter((entry) => entry.fallback), evidence)];
  const ranked = rank(ran.flatMap((r) => (r.finding ? [r.finding] : [])));
  const top = ranked[0] ?? noRootCause(evidence, ran);
  const missing = [...new Set([...(evidence.sampleCount === 0 ? ['the scene is empty: no samples from the node'] : []), ...ran.flatMap((r) => r.missing), ...kubernetesMissing(options.kubernetes)])];
  return {
    id: deterministicId(request.id, top.cause),
    requestId: request.id,
    anomalyIds: [...request.anomalyIds],
    entity: { ...request.entity },
    scenario: request.scenario,
    rootCause: { code: top.cause, summary: top.summary },
    evidence: top.facts,
    suggestions: top.suggestions,
    confidence: top.confidence,
    severity: top.severity,
    kubernetes: kubernetesMap(options.kubernetes),
    createdAtMs: request.requestedAtMs,
    findings: ranked.slice(1).map((f) => ({ code: f.cause, summary: f.summary, confidence: f.confidence, severity: f.severity })),
    missingEvidence: missing,
  };
}
