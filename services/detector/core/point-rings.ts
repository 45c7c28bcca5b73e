/**
 * The latest points (value and time) of a node's series, one fixed-capacity ring per series, kept
 * in blocks of 32 rings (one Float64Array each): a diagnosis request's window and the rule's trend
 * model read them. A typed array per series would cost ~250 bytes of bookkeeping each (its object,
 * its ArrayBuffer, the ring's own object); here a series holds only its ring's number.
 *
 * Ring r is the (r mod 32)-th stride of block r / 32: its start and length, then `capacity` values,
 * then their `capacity` times. Released rings are reused; a block is added when all are in use.
 */
export interface SavedRing {
  /** Oldest first. */
  values: Float64Array;
  timestamps: Float64Array;
}

const START = 0;
const LENGTH = 1;
const HEADER = 2;
const RINGS_PER_BLOCK = 32;

export class PointRings {
  private readonly blocks: Float64Array[] = [];
  private readonly stride: number;
  /** Rings handed out so far (the next new ring's number), and released ones to hand out again. */
  private used = 0;
  private readonly released: number[] = [];

  constructor(readonly capacity: number) {
    this.stride = HEADER + 2 * capacity;
  }

  /** The block of a ring, and where the ring starts in it. */
  private blockOf(ring: number): Float64Array {
    return this.blocks[Math.floor(ring / RINGS_PER_BLOCK)]!;
  }

  private baseOf(ring: number): number {
    return (ring % RINGS_PER_BLOCK) * this.stride;
  }

  /** A new empty ring's number. */
  allocate(): number {
    const ring = this.released.pop() ?? this.used++;
    if (ring >= this.blocks.length * RINGS_PER_BLOCK) this.blocks.push(new Float64Array(RINGS_PER_BLOCK * this.stride));
    const slots = this.blockOf(ring);
    slots[this.baseOf(ring) + START] = 0;
    slots[this.baseOf(ring) + LENGTH] = 0;
    return ring;
  }

  release(ring: number): void {
    this.released.push(ring);
  }

  size(ring: number): number {
    return this.blockOf(ring)[this.baseOf(ring) + LENGTH]!;
  }

  push(ring: number, value: number, timestampMs: number): void {
    const slots = this.blockOf(ring);
    const base = this.baseOf(ring);
    const start = slots[base + START]!;
    const length = slots[base + LENGTH]!;
    const index = (start + length) % this.capacity;
    slots[base + HEADER + index] = value;
    slots[base + HEADER + this.capacity + index] = timestampMs;
    if (length < this.capacity) slots[base + LENGTH] = length + 1;
    else slots[base + START] = (start + 1) % this.capacity;
  }

  /** The index in its block of the value of the ring's i-th point of its last n (oldest first). */
  private valueAt(slots: Float64Array, ring: number, n: number, i: number): number {
    const base = this.baseOf(ring);
    return base + HEADER + ((slots[base + START]! + slots[base + LENGTH]! - n + i) % this.capacity);
  }

  /** The last `count` values (or all there are), oldest first. */
  lastValues(ring: number, count: number): number[] {
    const slots = this.blockOf(ring);
    const n = Math.min(count, this.size(ring));
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) out[i] = slots[this.valueAt(slots, ring, n, i)]!;
    return out;
  }

  /** The last `count` points (or all there are) with their times, oldest first. */
  lastPoints(ring: number, count: number): { value: number; timestampMs: number }[] {
    const slots = this.blockOf(ring);
    const n = Math.min(count, this.size(ring));
    const out = new Array<{ value: number; timestampMs: number }>(n);
    for (let i = 0; i < n; i++) {
      const index = this.valueAt(slots, ring, n, i);
      out[i] = { value: slots[index]!, timestampMs: slots[index + this.capacity]! };
    }
    return out;
  }

  /** A ring as plain data, oldest first, for snapshots. */
  save(ring: number): SavedRing {
    const slots = this.blockOf(ring);
    const n = this.size(ring);
    const values = new Float64Array(n);
    const timestamps = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const index = this.valueAt(slots, ring, n, i);
      values[i] = slots[index]!;
      timestamps[i] = slots[index + this.capacity]!;
    }
    return { values, timestamps };
  }

  /** A new ring holding a saved one's latest `capacity` points. */
  restore(saved: SavedRing): number {
    const ring = this.allocate();
    for (let i = Math.max(0, saved.values.length - this.capacity); i < saved.values.length; i++) this.push(ring, saved.values[i]!, saved.timestamps[i]!);
    return ring;
  }
}
