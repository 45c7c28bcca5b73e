/**
 * One shared copy of each distinct label set the live series carry. The same labels recur across
 * series (every metric of a pod, the same cpu and mode on every node): a copy per series would cost
 * ~40 bytes each. Each set counts the series holding it and is dropped when the last lets go.
 */
export type Labels = Readonly<Record<string, string>>;

const noLabels: Labels = Object.freeze({});

export class LabelSets {
  private readonly sets = new Map<string, { labels: Labels; holders: number }>();

  /** The shared, frozen copy of labels whose canonical text (a series key's `{…}` part) is `key`. */
  hold(key: string, labels: Labels): Labels {
    if (isEmpty(labels)) return noLabels;
    const set = this.sets.get(key);
    if (set) {
      set.holders++;
      return set.labels;
    }
    const copy = Object.freeze({ ...labels });
    this.sets.set(key, { labels: copy, holders: 1 });
    return copy;
  }

  release(key: string): void {
    const set = this.sets.get(key);
    if (set && --set.holders === 0) this.sets.delete(key);
  }

  get size(): number {
    return this.sets.size;
  }
}

function isEmpty(labels: Labels): boolean {
  for (const _ in labels) return false;
  return true;
}
