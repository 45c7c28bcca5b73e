/**
 * A token bucket per channel (pure): `capacity` sends at once, refilled at `perMs` per token, so a
 * channel never sends faster than its vendor allows (Slack: about one message a second per
 * webhook; DingTalk and WeCom robots: 20 a minute; Feishu: 100 a minute).
 */
export interface TokenBucket {
  readonly capacity: number;
  /** Milliseconds per token; 0 = unlimited. */
  readonly perTokenMs: number;
  readonly tokens: number;
  readonly atMs: number;
}

/** `N/s`, `N/m` or `N/h`: N sends per second, minute or hour, in bursts of up to N; `unlimited`. */
export function parseRateLimit(text: string): { capacity: number; perTokenMs: number } | undefined {
  if (text === 'unlimited') return { capacity: 1, perTokenMs: 0 };
  const match = /^(\d+(?:\.\d+)?)\/(s|m|h)$/.exec(text);
  if (!match) return undefined;
  const count = Number(match[1]);
  if (!(count > 0)) return undefined;
  const periodMs = { s: 1000, m: 60_000, h: 3_600_000 }[match[2] as 's' | 'm' | 'h'];
  return { capacity: Math.max(1, Math.floor(count)), perTokenMs: periodMs / count };
}

export function fullBucket(limit: { capacity: number; perTokenMs: number }, nowMs: number): TokenBucket {
  return { ...limit, tokens: limit.capacity, atMs: nowMs };
}

function refill(bucket: TokenBucket, nowMs: number): TokenBucket {
  if (bucket.perTokenMs === 0 || nowMs <= bucket.atMs) return bucket;
  const tokens = Math.min(bucket.capacity, bucket.tokens + (nowMs - bucket.atMs) / bucket.perTokenMs);
  return { ...bucket, tokens, atMs: nowMs };
}

/** How long until a token is there (0 = now). */
export function waitMs(bucket: TokenBucket, nowMs: number): number {
  if (bucket.perTokenMs === 0) return 0;
  const current = refill(bucket, nowMs);
  // The epsilon keeps float error (1000.0000000000001) from adding a millisecond.
  return current.tokens >= 1 ? 0 : Math.max(1, Math.ceil((1 - current.tokens) * current.perTokenMs - 1e-6));
}

/** Takes a token; call only when `waitMs` is 0. */
export function take(bucket: TokenBucket, nowMs: number): TokenBucket {
  if (bucket.perTokenMs === 0) return bucket;
  const current = refill(bucket, nowMs);
  return { ...current, tokens: current.tokens - 1 };
}

/** Empties the bucket: the vendor said 429, so its limit is lower than ours for now. */
export function drain(bucket: TokenBucket, nowMs: number): TokenBucket {
  return { ...refill(bucket, nowMs), tokens: 0 };
}
