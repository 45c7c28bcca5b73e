import type { Severity } from '../../../src/codec/records.generated.js';

export type { Severity };

/** What every IM channel renders: built from a report by `messageFromReport`; every string in it may come from the cluster and is untrusted. */
export interface NotificationMessage {
  title: string;
  severity: Severity;
  /** One line. */
  summary: string;
  facts: { name: string; value: string; detail?: string }[];
  suggestions: { action: string; command?: string; setting?: string }[];
  /** cluster, node, namespace, pod, container, scenario, cause — only the ones known. */
  labels: Record<string, string>;
  groupKey: string;
  resolved: boolean;
  links?: { title: string; url: string }[];
  reportId: string;
  createdAtMs: number;
  /** Set on a digest (see core/digest.ts): the messages folded into it, oldest first. */
  digestOf?: { groupKey: string; reportId: string; title: string; resolved: boolean }[];
}

/** What a send did; the caller owns retries and uses `retry` (and `retryAfterMs` from a 429 / Retry-After) to decide. */
export type DeliveryResult = { ok: true } | { ok: false; retry: boolean; retryAfterMs?: number; error: string };

/** One receiver endpoint. `send` never throws; an invalid config throws VIGIL_CONFIG when the channel is created. */
export interface Channel {
  name: string;
  send(message: NotificationMessage, signal?: AbortSignal): Promise<DeliveryResult>;
}
