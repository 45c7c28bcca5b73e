/** Live data: a GET repeated every few seconds while the page is open. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { getJson } from './api.js';

export const pollIntervalMs = 3_000;

export interface Polled<T> {
  data: T | undefined;
  error: string | undefined;
  /** Fetch again now (after a change the page made). */
  reload: () => void;
}

export function usePoll<T>(path: string | undefined, intervalMs = pollIntervalMs): Polled<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const generation = useRef(0);
  const load = useCallback(() => {
    if (!path) return;
    const mine = generation.current;
    getJson<T>(path).then(
      (value) => { if (mine === generation.current) { setData(value); setError(undefined); } },
      (failure: Error) => { if (mine === generation.current) setError(failure.message); },
    );
  }, [path]);
  useEffect(() => {
    generation.current++;
    setData(undefined);
    setError(undefined);
    load();
    const timer = setInterval(load, intervalMs);
    return () => {
      generation.current++;
      clearInterval(timer);
    };
  }, [load, intervalMs]);
  return { data, error, reload: load };
}
