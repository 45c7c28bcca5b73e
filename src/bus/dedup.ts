/**
 * Remembers the last `capacity` ids, so a consumer can drop records redelivered after a rebalance or
 * crash (every output record carries a deterministic id). Bounded: the oldest id is forgotten first.
 */
export class RecentIds {
  private readonly ids = new Set<string>();
  private readonly order: string[];
  private next = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.order = new Array<string>(capacity);
  }

  /** True when `id` is among the last `capacity` ids remembered. */
  has(id: string): boolean {
    return this.ids.has(id);
  }

  /**
   * Remembers `id`. Handlers call this only after their outputs were acknowledged, so a record whose
   * handling failed is not mistaken for a duplicate when it is retried.
   */
  add(id: string): void {
    if (this.ids.has(id)) return;
    const evicted = this.order[this.next];
    if (evicted !== undefined) this.ids.delete(evicted);
    this.order[this.next] = id;
    this.next = (this.next + 1) % this.capacity;
    this.ids.add(id);
  }

  get size(): number {
    return this.ids.size;
  }
}
