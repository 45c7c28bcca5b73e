/**
 * The latest points (value and time) of a node's series, one fixed-capacity ring per series, kept
 * in blocks of rings (4, 8, 16, then 32 each, so a kind with few series wastes little): a diagnosis request's window and the rule's trend model read them. A typed
 * array per series would cost ~250 bytes of bookkeeping each (its object, its ArrayBuffer, the
 * ring's own object); here a series holds only its ring's number. Rings of series whose engine
 * already keeps their latest values hold times only (`withValues` false). Each ring also carries
 * SERIES_NUMBERS numbers of its series' own (the detector's last time, previous counter reading
 * and threshold crossing: a boxed double field would cost 24 bytes each), NaN until set.
 *
 * A block is one ArrayBuffer seen three ways. As Float64: the i-th ring's HEADER numbers (start,
 * length, time epoch, its series' numbers). As Uint32, after those: each ring's `capacity` times,
 * as milliseconds after its epoch (exact, 4 bytes instead of 8; the epoch moves up when a time would
 * be 2^32 ms, 49 days, after it, and points older than that leave the ring). As Float32, after
 * those: each ring's `capacity` values, at about 7 significant digits (what a window and a trend
 * model need; none without values). Released rings are reused; a block is added when all are in use.
 */
export interface SavedRing {
  /** Oldest first. */
  values: Float64Array;
  timestamps: Float64Array;
  /** Its series' numbers. */
  numbers: Float64Array;
}

/** All rings of a PointRings as plain data, for snapshots: each block's bytes as they are (ring numbers stay valid). */
export interface SavedPointRings {
  capacity: number;
  withValues: boolean;
  used: number;
  released: number[];
  blocks: Uint8Array[];
}

const START = 0;
const LENGTH = 1;
const EPOCH = 2;
/** Numbers a ring keeps for its series. */
export const SERIES_NUMBERS = 4;
const NUMBERS = 3;
const HEADER = NUMBERS + SERIES_NUMBERS;
/** Rings in the first blocks; every later block has LARGE_BLOCK. */
const SMALL_BLOCKS = [4, 8, 16];
const LARGE_BLOCK = 32;
const SMALL_RINGS = 28;

/** The block ring `ring` is in. */
function blockNumber(ring: number): number {
  if (ring < SMALL_RINGS) return ring < 4 ? 0 : ring < 12 ? 1 : 2;
  return SMALL_BLOCKS.length + Math.floor((ring - SMALL_RINGS) / LARGE_BLOCK);
}

/** The first ring of block `block`. */
function firstRing(block: number): number {
  if (block < SMALL_BLOCKS.length) return block === 0 ? 0 : block === 1 ? 4 : 12;
  return SMALL_RINGS + (block - SMALL_BLOCKS.length) * LARGE_BLOCK;
}

function ringsIn(block: number): number {
  return SMALL_BLOCKS[block] ?? LARGE_BLOCK;
}
const MAX_OFFSET = 0xffff_ffff;

interface Block {
  numbers: Float64Array;
  times: Uint32Array;
  values: Float32Array | undefined;
}

export class PointRings {
  private readonly blocks: Block[] = [];
  /** Rings handed out so far (the next new ring's number), and released ones to hand out again. */
  private used = 0;
  private readonly released: number[] = [];

  constructor(
    readonly capacity: number,
    readonly withValues = true,
  ) {}

  private blockOf(ring: number): Block {
    return this.blocks[blockNumber(ring)]!;
  }

  /** Where the ring's header starts in its block's numbers. */
  private baseOf(ring: number): number {
    return (ring - firstRing(blockNumber(ring))) * HEADER;
  }

  /** Where the ring's times (and values) start in its block's times (and values). */
  private timesBaseOf(ring: number): number {
    return (ring - firstRing(blockNumber(ring))) * this.capacity;
  }

  private newBlock(buffer?: ArrayBuffer): Block {
    const rings = ringsIn(this.blocks.length);
    const numbersBytes = rings * HEADER * 8;
    const pointsLength = rings * this.capacity;
    buffer ??= new ArrayBuffer(numbersBytes + pointsLength * 4 * (this.withValues ? 2 : 1));
    return {
      numbers: new Float64Array(buffer, 0, rings * HEADER),
      times: new Uint32Array(buffer, numbersBytes, pointsLength),
      values: this.withValues ? new Float32Array(buffer, numbersBytes + pointsLength * 4, pointsLength) : undefined,
    };
  }

  /** A new empty ring's number. */
  allocate(): number {
    const ring = this.released.pop() ?? this.used++;
    if (ring >= firstRing(this.blocks.length)) this.blocks.push(this.newBlock());
    const { numbers } = this.blockOf(ring);
    const base = this.baseOf(ring);
    numbers[base + START] = 0;
    numbers[base + LENGTH] = 0;
    numbers.fill(Number.NaN, base + NUMBERS, base + HEADER);
    return ring;
  }

  release(ring: number): void {
    this.released.push(ring);
  }

  /** The ring's series' number `i` (< SERIES_NUMBERS); NaN until set. */
  numberOf(ring: number, i: number): number {
    return this.blockOf(ring).numbers[this.baseOf(ring) + NUMBERS + i]!;
  }

  setNumber(ring: number, i: number, value: number): void {
    this.blockOf(ring).numbers[this.baseOf(ring) + NUMBERS + i] = value;
  }

  size(ring: number): number {
    return this.blockOf(ring).numbers[this.baseOf(ring) + LENGTH]!;
  }

  push(ring: number, value: number, timestampMs: number): void {
    const { numbers, times, values } = this.blockOf(ring);
    const base = this.baseOf(ring);
    const timesBase = this.timesBaseOf(ring);
    if (numbers[base + LENGTH] === 0) numbers[base + EPOCH] = timestampMs;
    else if (timestampMs - numbers[base + EPOCH]! > MAX_OFFSET) this.rebase(numbers, times, base, timesBase, timestampMs);
    const start = numbers[base + START]!;
    const length = numbers[base + LENGTH]!;
    const index = (start + length) % this.capacity;
    if (values) values[timesBase + index] = value;
    times[timesBase + index] = timestampMs - numbers[base + EPOCH]!;
    if (length < this.capacity) numbers[base + LENGTH] = length + 1;
    else numbers[base + START] = (start + 1) % this.capacity;
  }

  /** Before pushing a time too far after the epoch: drops points more than 2^32 ms before it (a window spans at most 49 days), and moves the epoch to the oldest left. */
  private rebase(numbers: Float64Array, times: Uint32Array, base: number, timesBase: number, timestampMs: number): void {
    let start = numbers[base + START]!;
    let length = numbers[base + LENGTH]!;
    const epoch = numbers[base + EPOCH]!;
    while (length > 0 && timestampMs - (epoch + times[timesBase + start]!) > MAX_OFFSET) {
      start = (start + 1) % this.capacity;
      length--;
    }
    const shift = length > 0 ? times[timesBase + start]! : timestampMs - epoch;
    for (let i = 0; i < length; i++) times[timesBase + ((start + i) % this.capacity)]! -= shift;
    numbers[base + START] = start;
    numbers[base + LENGTH] = length;
    numbers[base + EPOCH] = epoch + shift;
  }

  /** Calls visit with each of the ring's last n points, oldest first (values NaN in a ring without values). */
  private visitLast(ring: number, n: number, visit: (i: number, value: number, timestampMs: number) => void): void {
    const { numbers, times, values } = this.blockOf(ring);
    const base = this.baseOf(ring);
    const timesBase = this.timesBaseOf(ring);
    const first = numbers[base + START]! + numbers[base + LENGTH]! - n;
    const epoch = numbers[base + EPOCH]!;
    for (let i = 0; i < n; i++) {
      const index = (first + i) % this.capacity;
      visit(i, values ? values[timesBase + index]! : Number.NaN, epoch + times[timesBase + index]!);
    }
  }

  /** The last `count` values (or all there are), oldest first. */
  lastValues(ring: number, count: number): number[] {
    const n = Math.min(count, this.size(ring));
    const out = new Array<number>(n);
    this.visitLast(ring, n, (i, value) => {
      out[i] = value;
    });
    return out;
  }

  /** The times of the last `count` points (or all there are), oldest first. */
  lastTimes(ring: number, count: number): number[] {
    const n = Math.min(count, this.size(ring));
    const out = new Array<number>(n);
    this.visitLast(ring, n, (i, _value, timestampMs) => {
      out[i] = timestampMs;
    });
    return out;
  }

  /** The last `count` points (or all there are) with their times, oldest first. */
  lastPoints(ring: number, count: number): { value: number; timestampMs: number }[] {
    const n = Math.min(count, this.size(ring));
    const out = new Array<{ value: number; timestampMs: number }>(n);
    this.visitLast(ring, n, (i, value, timestampMs) => {
      out[i] = { value, timestampMs };
    });
    return out;
  }

  /** Every ring as plain data (copies of the blocks): restoreAll() gives back the same rings under the same numbers. */
  saveAll(): SavedPointRings {
    return {
      capacity: this.capacity, withValues: this.withValues, used: this.used, released: [...this.released],
      blocks: this.blocks.map(({ numbers }) => new Uint8Array(numbers.buffer.slice(0))),
    };
  }

  static restoreAll(saved: SavedPointRings): PointRings {
    const rings = new PointRings(saved.capacity, saved.withValues);
    for (const bytes of saved.blocks) {
      const buffer = bytes.slice().buffer;
      rings.blocks.push(rings.newBlock(buffer));
    }
    rings.used = saved.used;
    rings.released.push(...saved.released);
    return rings;
  }

  /** A ring as plain data, oldest first. */
  save(ring: number): SavedRing {
    const n = this.size(ring);
    const values = new Float64Array(n);
    const timestamps = new Float64Array(n);
    this.visitLast(ring, n, (i, value, timestampMs) => {
      values[i] = value;
      timestamps[i] = timestampMs;
    });
    const base = this.baseOf(ring);
    return { values, timestamps, numbers: this.blockOf(ring).numbers.slice(base + NUMBERS, base + HEADER) };
  }

  /** A new ring holding a saved one's latest `capacity` points and its series' numbers. */
  restore(saved: SavedRing): number {
    const ring = this.allocate();
    this.blockOf(ring).numbers.set(saved.numbers, this.baseOf(ring) + NUMBERS);
    for (let i = Math.max(0, saved.values.length - this.capacity); i < saved.values.length; i++) this.push(ring, saved.values[i]!, saved.timestamps[i]!);
    return ring;
  }
}
