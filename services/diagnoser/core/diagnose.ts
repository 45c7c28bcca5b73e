import type { DiagnosisReport, DiagnosisRequest, Scenario } from '../../../src/codec/records.generated.js';
import { deterministicId } from '../../../src/codec/ids.js';
import { buildEvidence, type Evidence, type Finding, type Rule } from './evidence.js';
import { memoryGrowth } from '../rules/memory-growth.js';
import { memoryHighTopProcess } from '../rules/memory-high-top-process.js';

/**
 * Rules per scenario. The strongest primary finding wins; fallback rules run only when no primary
 * rule applies. OOM uses the memory rules until OOM-specific ones (limit too low, leak, noisy
 * neighbour) exist: the process that grew is still the first suspect of an OOM kill.
 */
export interface RuleSet {
  primary: Rule[];
  fallback: Rule[];
}

const memoryRules: RuleSet = { primary: [memoryGrowth], fallback: [memoryHighTopProcess] };

export const ruleLibrary: Partial<Record<Scenario, RuleSet>> = {
  MEMORY: memoryRules,
  OOM: memoryRules,
};

function strongest(rules: Rule[], evidence: Evidence): Finding | undefined {
  let best: Finding | undefined;
  for (const rule of rules) {
    const finding = rule(evidence);
    if (finding && (!best || finding.confidence > best.confidence)) best = finding;
  }
  return best;
}

function unknown(evidence: Evidence): Finding {
  const where = `${evidence.entity.cluster}/${evidence.entity.node ?? '-'}`;
  const why =
    evidence.sampleCount === 0
      ? `the scene of this ${evidence.scenario} request on ${where} is empty`
      : ruleLibrary[evidence.scenario]
        ? `no ${evidence.scenario} rule matched the ${evidence.sampleCount} scene samples from ${where}`
        : `there are no rules for scenario ${evidence.scenario} yet (${where})`;
  return {
    cause: 'UNKNOWN',
    summary: `root cause unknown: ${why}`,
    confidence: 0.1,
    severity: 'INFO',
    facts: [{ name: 'scene samples', value: evidence.sampleCount, unit: '', detail: null }],
    suggestions: [],
  };
}

/** Answers a diagnosis request with the strongest finding of the scenario's rules (UNKNOWN when none applies). Deterministic: no clock. */
export function diagnose(request: DiagnosisRequest, library: Partial<Record<Scenario, RuleSet>> = ruleLibrary): DiagnosisReport {
  const evidence = buildEvidence(request);
  const rules = library[request.scenario];
  const finding = (rules && (strongest(rules.primary, evidence) ?? strongest(rules.fallback, evidence))) ?? unknown(evidence);
  return {
    id: deterministicId(request.id, finding.cause),
    requestId: request.id,
    anomalyIds: [...request.anomalyIds],
    entity: { ...request.entity },
    scenario: request.scenario,
    rootCause: { code: finding.cause, summary: finding.summary },
    evidence: finding.facts,
    suggestions: finding.suggestions,
    confidence: finding.confidence,
    severity: finding.severity,
    kubernetes: {},
    createdAtMs: request.requestedAtMs,
  };
}
