// Fetch jobs: every distfile a port waits for is fetched once, however many
// ports want it, at most `jobs` at a time and `perSite` from one site, the
// most urgent first (core/distfiles/fetch-order.ts). When a port's last
// distfile is in, or one cannot be had, the port's result is given.

import { join } from 'node:path';

import { DEFAULT_FETCH_LIMITS, type FetchLimits, type FetchUrgency, nextFetches, siteOf, type WaitingFetch } from '../core/distfiles/fetch-order.js';
import type { Attempt, DistfileLocker, DistfileRequest, DistfileResult } from './fetch-distfile.js';
import { fetchDistfile, PART_SUFFIX } from './fetch-distfile.js';

/** A port's result: ready, or why not (each failed file with every URL tried and what it answered). */
export type PortFetchResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** One distfile that ended: for fetch.log and the views. `fetched`: something was transferred (not just found there). */
export interface DistfileEnded {
  readonly name: string;
  readonly result: DistfileResult;
  readonly site: string;
  readonly bytes: number;
  readonly seconds: number;
  /** The ports that wanted it. */
  readonly ports: readonly string[];
}

/** A distfile's transfer from a site began: for the views. */
export interface DistfileStarted {
  readonly name: string;
  readonly site: string;
  readonly size: number;
  /** Where it is written while it comes. */
  readonly part: string;
  readonly ports: readonly string[];
}

export interface FetchQueueOptions {
  readonly distdir: string;
  readonly limits?: FetchLimits;
  /** One fetch of a distfile at a time across processes sharing DISTDIR (runtime/distfile-lock.ts). */
  readonly lock: DistfileLocker;
  /** How soon a port's distfiles are wanted; asked again each time fetches may start. None (`kiln fetch`): all are wanted now. */
  readonly priority?: (port: string) => FetchUrgency;
  /** Order by urgency alone, not by urgency per byte (the plain orders bench/fetch-order.ts compares with). */
  readonly sizeBlind?: boolean;
  readonly portEnded: (port: string, result: PortFetchResult) => void;
  readonly distfileStarted?: (started: DistfileStarted) => void;
  readonly distfileEnded?: (ended: DistfileEnded) => void;
  readonly attempted?: (name: string, attempt: Attempt) => void;
  readonly signal: AbortSignal;
}

interface Distfile {
  readonly request: DistfileRequest;
  readonly wanters: Set<string>;
  state: 'waiting' | 'running' | DistfileResult;
}

export class FetchQueue {
  private readonly files = new Map<string, Distfile>();
  /** The files no fetch has begun, by name. */
  private readonly waiting = new Map<string, Distfile>();
  /** Ports still waiting: the names they wait for, and the failures so far. */
  private readonly ports = new Map<string, { remaining: Set<string>; failures: string[] }>();
  private readonly active = new Map<string, number>();
  private readonly siteWaiters: Array<() => void> = [];
  private readonly runningFiles = new Set<Distfile>();

  constructor(private readonly o: FetchQueueOptions) {}

  /** Each port waits for its distfiles (none: it is ready at once); the most urgent of them all start first. */
  want(ports: ReadonlyArray<{ readonly port: string; readonly requests: readonly DistfileRequest[] }>): void {
    for (const { port, requests } of ports) this.add(port, requests);
    this.pump();
  }

  private add(port: string, requests: readonly DistfileRequest[]): void {
    const waiting = { remaining: new Set<string>(), failures: [] as string[] };
    this.ports.set(port, waiting);
    for (const request of requests) {
      let file = this.files.get(request.name);
      if (file === undefined) {
        this.files.set(request.name, (file = { request, wanters: new Set(), state: 'waiting' }));
        this.waiting.set(request.name, file);
      }
      else if (!sameChecksums(file.request, request)) {
        waiting.failures.push(`${request.name}: another port's distinfo gives it other checksums; the file cannot be both`);
        continue;
      }
      if (typeof file.state === 'object') {
        if (!file.state.ok) waiting.failures.push(file.state.reason);
        continue;
      }
      file.wanters.add(port);
      waiting.remaining.add(request.name);
    }
    this.settle(port);
  }

  private settle(port: string): void {
    const waiting = this.ports.get(port);
    if (waiting === undefined || waiting.remaining.size > 0) return;
    this.ports.delete(port);
    this.o.portEnded(port, waiting.failures.length === 0 ? { ok: true } : { ok: false, reason: waiting.failures.join('; ') });
  }

  /**
   * Starts what may start now: on a want, when a fetch ends, when a fetch
   * leaves a site for another, and when the caller says a port's urgency may
   * have changed (a build ended, so its dependents may be ready: the job kept
   * for ready ports takes their files at once, not when some fetch ends).
   */
  pump(): void {
    if (this.o.signal.aborted || this.waiting.size === 0) return;
    const limits = this.o.limits ?? DEFAULT_FETCH_LIMITS;
    if (this.runningFiles.size >= limits.jobs) return;
    const urgency = new Map<string, FetchUrgency>();
    const urgencyOf = (port: string): FetchUrgency => {
      let found = urgency.get(port);
      if (found === undefined) urgency.set(port, (found = this.o.priority?.(port) ?? { ready: true, priority: 0 }));
      return found;
    };
    const sizeBlind = this.o.sizeBlind === true;
    const rank = (u: FetchUrgency): number => (u.ready ? 2 : u.soon === true ? 1 : 0);
    const wanted = (file: Distfile): WaitingFetch => {
      let best = -1;
      let priority = -Infinity;
      // The most urgent of the ports that want it in the most urgent group they are in (ready, soon, later).
      for (const port of file.wanters) {
        const u = urgencyOf(port);
        if (rank(u) > best) [best, priority] = [rank(u), u.priority];
        else if (rank(u) === best) priority = Math.max(priority, u.priority);
      }
      return { name: file.request.name, ready: best === 2, soon: best === 1, priority, bytes: sizeBlind ? 0 : file.request.size, site: siteOf(file.request.urls[0] ?? '') };
    };
    const candidates = function* (files: Iterable<Distfile>): Generator<WaitingFetch> {
      for (const file of files) yield wanted(file);
    };
    const ahead = [...this.runningFiles].filter((file) => !wanted(file).ready).length;
    for (const next of nextFetches(candidates(this.waiting.values()), this.runningFiles.size, this.active, limits, ahead)) {
      this.start(this.waiting.get(next.name)!, next.site);
    }
  }

  private start(file: Distfile, firstSite: string): void {
    file.state = 'running';
    this.waiting.delete(file.request.name);
    this.runningFiles.add(file);
    // The first site's turn is taken now, so the next pump counts it; the
    // fetch holds one site's turn at a time, given back when it moves on or ends.
    let site: string | undefined = firstSite;
    this.take(firstSite);
    const siteTurn = async (url: string): Promise<void> => {
      const next = siteOf(url);
      if (next === site) return;
      if (site !== undefined) this.give(site);
      site = undefined;
      this.pump();
      while ((this.active.get(next) ?? 0) >= (this.o.limits ?? DEFAULT_FETCH_LIMITS).perSite) await new Promise<void>((resolve) => this.siteWaiters.push(resolve));
      this.take(next);
      site = next;
    };
    let lastSite = firstSite;
    let bytes = 0;
    const began = performance.now();
    void fetchDistfile(file.request, {
      distdir: this.o.distdir, signal: this.o.signal, siteTurn, lock: this.o.lock,
      transferring: (url) => this.o.distfileStarted?.({
        name: file.request.name, site: siteOf(url), size: file.request.size, part: `${join(this.o.distdir, file.request.name)}${PART_SUFFIX}`, ports: [...file.wanters],
      }),
      attempted: (attempt) => {
        lastSite = siteOf(attempt.url);
        bytes += attempt.bytes;
        this.o.attempted?.(file.request.name, attempt);
      },
    }).catch((err: unknown): DistfileResult => ({ ok: false, name: file.request.name, reason: `${file.request.name}: ${(err as Error).message}`, attempts: [] }))
      .then((result) => {
        if (site !== undefined) this.give(site);
        this.runningFiles.delete(file);
        file.state = result;
        this.o.distfileEnded?.({ name: file.request.name, result, site: lastSite, bytes, seconds: (performance.now() - began) / 1000, ports: [...file.wanters] });
        for (const port of file.wanters) {
          const waiting = this.ports.get(port);
          if (waiting === undefined) continue;
          waiting.remaining.delete(file.request.name);
          if (!result.ok) waiting.failures.push(result.reason);
          this.settle(port);
        }
        this.pump();
      });
  }

  private take(site: string): void {
    this.active.set(site, (this.active.get(site) ?? 0) + 1);
  }

  private give(site: string): void {
    const left = (this.active.get(site) ?? 1) - 1;
    if (left <= 0) this.active.delete(site);
    else this.active.set(site, left);
    for (const wake of this.siteWaiters.splice(0)) wake();
  }
}

function sameChecksums(a: DistfileRequest, b: DistfileRequest): boolean {
  return a.size === b.size && a.digests.length === b.digests.length && a.digests.every((d, i) => d.algorithm === b.digests[i]!.algorithm && d.hex === b.digests[i]!.hex);
}
