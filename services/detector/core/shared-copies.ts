/**
 * One shared copy of each distinct value the live series carry, by a text key: the same labels
 * recur across series (every metric of a pod, the same cpu and mode on every node), and so does the
 * entity of a pod's series; a copy per series would cost ~40–70 bytes each. Each copy counts the
 * series holding it and is dropped when the last lets go.
 */
export class SharedCopies<T> {
  private readonly copies = new Map<string, { value: T; holders: number }>();

  /** The shared copy for `key`, made by `copy` when no series holds one yet. */
  hold(key: string, copy: () => T): T {
    const held = this.copies.get(key);
    if (held) {
      held.holders++;
      return held.value;
    }
    const value = copy();
    this.copies.set(key, { value, holders: 1 });
    return value;
  }

  release(key: string): void {
    const held = this.copies.get(key);
    if (held && --held.holders === 0) this.copies.delete(key);
  }

  get size(): number {
    return this.copies.size;
  }
}
