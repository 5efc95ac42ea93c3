// What each host of the engine is expected to have free from now on, for
// one dispatch round: a step at now, then one at each running job's
// expected end, earliest first. The steps are sorted out only as far as they
// are asked for: most questions are about the next few ends, and a host may
// run hundreds of jobs.

import type { FreeEnd, FreeLater, FreeStep, HostRecord } from './engine-hosts.js';

/** What the steps are made from: what a host has free now, and its running jobs' ends. */
export interface FreeSource {
  freeCores(host: HostRecord): number;
  freeSlots(host: HostRecord): number;
  coreLimit(host: HostRecord): number;
  expectedEnds(host: HostRecord, now: number): FreeEnd[];
}

/** Each host's steps for one round, made again once a job starts there. */
export class FreeSteps {
  private readonly cache = new Map<HostRecord, LazySteps>();
  private readonly pool: FreeSource;
  private readonly now: number;

  constructor(pool: FreeSource, now: number) {
    this.pool = pool;
    this.now = now;
  }

  /** Step `k` of `host` (0 is now), undefined past the last. */
  step(host: HostRecord, k: number): FreeStep | undefined {
    return this.of(host).step(k);
  }

  /** Free at `at`: what is free now, plus, after now, what the jobs expected to end by then hold. */
  at(host: HostRecord, at: number): FreeLater {
    return at <= this.now ? this.of(host).step(0)! : this.of(host).at(at);
  }

  changed(host: HostRecord): void {
    this.cache.delete(host);
  }

  private of(host: HostRecord): LazySteps {
    let steps = this.cache.get(host);
    if (!steps) {
      const { pool, now } = this;
      this.cache.set(host, (steps = new LazySteps(now, pool.freeCores(host), pool.freeSlots(host), pool.coreLimit(host), pool.expectedEnds(host, now))));
    }
    return steps;
  }
}

/**
 * Free steps made from a heap of expected ends, earliest first, as far as
 * asked (a heap of its own: IdHeap's score lookups made the 512-slot whole
 * tree 60 % slower). Cores are counted without the host's limit and shown with it.
 */
class LazySteps {
  private readonly steps: FreeStep[] = [];
  private readonly heap: FreeEnd[];
  /** Cores and slots free after the last step made. */
  private cores: number;
  private slots: number;
  private readonly limit: number;

  constructor(now: number, cores: number, slots: number, limit: number, ends: FreeEnd[]) {
    this.cores = cores;
    this.slots = slots;
    this.limit = limit;
    this.heap = ends;
    for (let i = (ends.length >> 1) - 1; i >= 0; i--) this.down(i);
    this.push(now);
  }

  step(k: number): FreeStep | undefined {
    while (this.steps.length <= k && this.heap.length > 0) this.next();
    return this.steps[k];
  }

  /** The last step at or before `at`. */
  at(at: number): FreeStep {
    while (this.heap.length > 0 && this.heap[0]!.at <= at) this.next();
    const steps = this.steps;
    let lo = 0;
    let hi = steps.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (steps[mid]!.at <= at) lo = mid;
      else hi = mid - 1;
    }
    return steps[lo]!;
  }

  private next(): void {
    const heap = this.heap;
    const end = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      this.down(0);
    }
    this.cores += end.cores;
    this.slots += 1;
    this.push(end.at);
  }

  private push(at: number): void {
    this.steps.push({ at, cores: Math.min(this.cores, this.limit), slots: this.slots });
  }

  private down(i: number): void {
    const heap = this.heap;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) return;
      const right = left + 1;
      const child = right < heap.length && heap[right]!.at < heap[left]!.at ? right : left;
      if (heap[child]!.at >= heap[i]!.at) return;
      [heap[i], heap[child]] = [heap[child]!, heap[i]!];
      i = child;
    }
  }
}
