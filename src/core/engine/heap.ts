// A binary max-heap of node ids ordered by a score array; ties go to the
// smaller id, so the order is deterministic.

export class IdHeap {
  private readonly items: number[];
  private readonly score: ArrayLike<number>;
  private readonly first = (a: number, b: number): boolean => this.before(a, b);

  constructor(score: ArrayLike<number>, items: number[] = []) {
    this.score = score;
    this.items = items;
  }

  get size(): number {
    return this.items.length;
  }

  push(id: number): void {
    siftUp(this.items, id, this.first);
  }

  peek(): number | undefined {
    return this.items[0];
  }

  pop(): number | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    siftDown(items, 0, last, this.first);
    return top;
  }

  /** Restores the order after the scores changed. */
  reorder(): void {
    const ids = this.items.splice(0);
    for (const id of ids) this.push(id);
  }

  /**
   * The ids in the order `pop` would give them, read lazily without taking
   * them out: a small heap of positions, the top's children entering as it
   * leaves, so `k` ids cost O(k log k) whatever the heap's size.
   */
  walk(): () => number | undefined {
    const items = this.items;
    const open: number[] = items.length > 0 ? [0] : [];
    const first = (a: number, b: number): boolean => this.before(items[a]!, items[b]!);
    return () => {
      const top = open[0];
      if (top === undefined) return undefined;
      const last = open.pop()!;
      if (open.length > 0) siftDown(open, 0, last, first);
      if (2 * top + 1 < items.length) siftUp(open, 2 * top + 1, first);
      if (2 * top + 2 < items.length) siftUp(open, 2 * top + 2, first);
      return items[top];
    };
  }

  /** A heap of the same ids and scores that changes apart from this one. */
  copy(): IdHeap {
    return new IdHeap(this.score, this.items.slice());
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

function siftUp(heap: number[], value: number, first: (a: number, b: number) => boolean): void {
  let i = heap.length;
  heap.push(value);
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!first(value, heap[parent]!)) break;
    heap[i] = heap[parent]!;
    i = parent;
  }
  heap[i] = value;
}

function siftDown(heap: number[], i: number, value: number, first: (a: number, b: number) => boolean): void {
  const n = heap.length;
  for (;;) {
    const left = 2 * i + 1;
    if (left >= n) break;
    const right = left + 1;
    const child = right < n && first(heap[right]!, heap[left]!) ? right : left;
    if (!first(heap[child]!, value)) break;
    heap[i] = heap[child]!;
    i = child;
  }
  heap[i] = value;
}
