/** The latest points of one series (value and time), a fixed-capacity ring: a diagnosis request's window and the rule's trend model read it. */
export class PointRing {
  /** Values in [0, capacity), their times in [capacity, 2 × capacity): one typed array costs ~200 bytes of bookkeeping less than two. */
  private readonly slots: Float64Array;
  private start = 0;
  private length = 0;

  constructor(readonly capacity: number) {
    this.slots = new Float64Array(2 * capacity);
  }

  get size(): number {
    return this.length;
  }

  push(value: number, timestampMs: number): void {
    const index = (this.start + this.length) % this.capacity;
    this.slots[index] = value;
    this.slots[this.capacity + index] = timestampMs;
    if (this.length < this.capacity) this.length++;
    else this.start = (this.start + 1) % this.capacity;
  }

  /** The last `count` values (or all there are), oldest first. */
  lastValues(count: number): number[] {
    const n = Math.min(count, this.length);
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) out[i] = this.slots[(this.start + this.length - n + i) % this.capacity]!;
    return out;
  }

  /** The last `count` points (or all there are) with their times, oldest first. */
  lastPoints(count: number): { value: number; timestampMs: number }[] {
    const n = Math.min(count, this.length);
    const out = new Array<{ value: number; timestampMs: number }>(n);
    for (let i = 0; i < n; i++) {
      const index = (this.start + this.length - n + i) % this.capacity;
      out[i] = { value: this.slots[index]!, timestampMs: this.slots[this.capacity + index]! };
    }
    return out;
  }

  /** The ring as plain data, oldest first, for snapshots. */
  save(): { values: Float64Array; timestamps: Float64Array } {
    const n = this.length;
    const values = new Float64Array(n);
    const timestamps = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const index = (this.start + i) % this.capacity;
      values[i] = this.slots[index]!;
      timestamps[i] = this.slots[this.capacity + index]!;
    }
    return { values, timestamps };
  }

  static restore(capacity: number, saved: { values: Float64Array; timestamps: Float64Array }): PointRing {
    const ring = new PointRing(capacity);
    const skip = Math.max(0, saved.values.length - capacity);
    for (let i = skip; i < saved.values.length; i++) ring.push(saved.values[i]!, saved.timestamps[i]!);
    return ring;
  }
}
