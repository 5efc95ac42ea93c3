// A binary max-heap of node ids ordered by a score array; ties go to the
// smaller id, so the order is deterministic.

export class IdHeap {
  private readonly items: number[] = [];
  private readonly score: ArrayLike<number>;

  constructor(score: ArrayLike<number>) {
    this.score = score;
  }

  get size(): number {
    return this.items.length;
  }

  push(id: number): void {
    const items = this.items;
    items.push(id);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(id, items[parent]!)) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = id;
  }

  peek(): number | undefined {
    return this.items[0];
  }

  pop(): number | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    let i = 0;
    const n = items.length;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && this.before(items[right]!, items[left]!) ? right : left;
      if (!this.before(items[child]!, last)) break;
      items[i] = items[child]!;
      i = child;
    }
    items[i] = last;
    return top;
  }

  /** Restores the order after the scores changed. */
  reorder(): void {
    const ids = this.items.splice(0);
    for (const id of ids) this.push(id);
  }

  /** The ids in the heap, in no particular order. */
  values(): readonly number[] {
    return this.items;
  }

  private before(a: number, b: number): boolean {
    const sa = this.score[a]!;
    const sb = this.score[b]!;
    return sa > sb || (sa === sb && a < b);
  }
}
